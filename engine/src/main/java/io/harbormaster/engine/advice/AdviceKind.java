package io.harbormaster.engine.advice;

/** What the advisor writes: a context package for approvers, or a hypothesis after an automatic rollback. */
public enum AdviceKind {
    CONTEXT_PACKAGE("context_package"),
    INCIDENT_HYPOTHESIS("incident_hypothesis");

    private final String label;

    AdviceKind(String label) {
        this.label = label;
    }

    /** The kind in snake case, as audit entries and metrics name it. */
    public String label() {
        return label;
    }
}

package io.harbormaster.engine.canary;

/** Kayenta's per-metric outcome: the canary is within tolerance, higher, lower, or there was nothing to compare. */
public enum Classification {
    PASS("Pass"),
    HIGH("High"),
    LOW("Low"),
    NODATA("Nodata");

    private final String label;

    Classification(String label) {
        this.label = label;
    }

    /** The name Kayenta and our JSON use. */
    public String label() {
        return label;
    }
}

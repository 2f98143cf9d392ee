package io.harbormaster.engine.policy;

/** The outcome of one named check: it passes, or it blocks with a reason and what would unblock it. */
public sealed interface CheckResult {
    String check();

    /** The check found nothing in the way. */
    record Pass(String check, String note) implements CheckResult {}

    /** The check blocks the deploy. */
    record Block(String check, String reason, String unblock) implements CheckResult {}

    static CheckResult pass(String check, String note) {
        return new Pass(check, note);
    }

    static CheckResult block(String check, String reason, String unblock) {
        return new Block(check, reason, unblock);
    }
}

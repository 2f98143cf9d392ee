package io.harbormaster.engine.policy;

import java.util.List;

/** The outcome of one named check: it passes, or it blocks with a reason and what would unblock it. */
public sealed interface CheckResult {
    String check();

    /** The check found nothing in the way. */
    record Pass(String check, String note) implements CheckResult {}

    /**
     * The check blocks the deploy; {@code people}: who its reason names (a lock's holder, who asked for the rollback
     * behind a block), plain in the text, for whoever shows it to name them as people.
     */
    record Block(String check, String reason, String unblock, List<String> people) implements CheckResult {
        public Block {
            people = List.copyOf(people);
        }

        public Block(String check, String reason, String unblock) {
            this(check, reason, unblock, List.of());
        }
    }

    static CheckResult pass(String check, String note) {
        return new Pass(check, note);
    }

    static CheckResult block(String check, String reason, String unblock) {
        return new Block(check, reason, unblock);
    }

    static CheckResult block(String check, String reason, String unblock, List<String> people) {
        return new Block(check, reason, unblock, people);
    }
}

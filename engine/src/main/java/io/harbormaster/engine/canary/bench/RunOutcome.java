package io.harbormaster.engine.canary.bench;

/** How one judge ended one simulated canary, and when (seconds after the canary started). */
public record RunOutcome(Decision decision, double at) {
    /** The end of a run: rolled back, promoted, paused for a human, or still undecided when the data ended. */
    public enum Decision {
        ROLLBACK,
        PROMOTE,
        PAUSE,
        NONE
    }
}

package io.harbormaster.engine.canary;

import java.util.Optional;

/**
 * The stretch of a canary a decision was judged on, in seconds since the canary started: what a rollback notice names
 * beside the figures, which mean nothing without it.
 */
public record JudgedWindow(long fromSeconds, long toSeconds) {
    public JudgedWindow {
        if (fromSeconds < 0 || toSeconds < fromSeconds) {
            throw new IllegalArgumentException("a judged window runs forwards from the canary's start, got "
                    + fromSeconds + " s to " + toSeconds + " s");
        }
    }

    /** Whether the window starts with the canary (its figures are the whole canary's so far). */
    public boolean fromStart() {
        return fromSeconds == 0;
    }

    /**
     * The window {@code deciding} was judged on when its verdict came {@code at} seconds into a canary judged by
     * {@code policy}: a hard trigger looks back over its own window; the sequential judge and the closing test weigh
     * everything since the canary started. Empty for a judge whose window is not known from these (the Mann-Whitney
     * judge's is its step's).
     */
    public static Optional<JudgedWindow> of(Evidence deciding, long at, CanaryPolicy policy) {
        var to = Math.max(0, at);
        return switch (deciding.judge()) {
            case HardTriggers.JUDGE -> {
                var seconds = HardTriggers.windowSeconds(policy.hardTriggers(), deciding.metric());
                yield seconds.isPresent()
                        ? Optional.of(new JudgedWindow(Math.max(0, to - seconds.getAsLong()), to))
                        : Optional.empty();
            }
            case SequentialJudge.JUDGE, ClosingTest.JUDGE -> Optional.of(new JudgedWindow(0, to));
            default -> Optional.empty();
        };
    }
}

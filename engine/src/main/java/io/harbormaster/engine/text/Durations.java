package io.harbormaster.engine.text;

import java.time.Duration;

/** Durations in messages, as people write them: {@code 45 s}, {@code 5 min}, {@code 2 h 30 min}, {@code 3 d 4 h}. */
public final class Durations {
    private Durations() {}

    /** {@code d} in words, to the second under 2 min, the minute under 2 h, the hour from 2 days on. */
    public static String words(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s");
        }
        if (s < 2 * 86400) {
            return (s / 3600) + " h" + (s % 3600 / 60 == 0 ? "" : " " + (s % 3600 / 60) + " min");
        }
        return (s / 86400) + " d" + (s % 86400 / 3600 == 0 ? "" : " " + (s % 86400 / 3600) + " h");
    }
}

package io.harbormaster.engine.canary;

import io.harbormaster.engine.text.Numbers;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The hard rollback triggers: absolute canary limits over trailing windows, checked after every interval. The limit
 * is the canary's alone; the baseline's value over the same window, taken the same way, is given beside it (a baseline
 * as bad as the canary points away from the change).
 */
public final class HardTriggers {
    static final String JUDGE = "hard-trigger";

    private HardTriggers() {}

    /** The first limit the canary broke over the intervals so far (oldest first), if any. */
    public static Optional<Evidence> check(List<IntervalSample> history, HardTriggerPolicy p, long intervalSeconds) {
        if (history.isEmpty()) {
            return Optional.empty();
        }
        long now = history.getLast().t() + intervalSeconds;

        // error rate over the window, once the canary has run for the whole window
        if (now >= p.errorWindowSeconds()) {
            double requests = 0, errors = 0, baselineRequests = 0, baselineErrors = 0;
            for (IntervalSample s : window(history, now, p.errorWindowSeconds())) {
                if (Double.isFinite(s.canary().requests())
                        && Double.isFinite(s.canary().errors())) {
                    requests += s.canary().requests();
                    errors += s.canary().errors();
                }
                if (Double.isFinite(s.baseline().requests())
                        && Double.isFinite(s.baseline().errors())) {
                    baselineRequests += s.baseline().requests();
                    baselineErrors += s.baseline().errors();
                }
            }
            if (requests >= p.minRequests() && errors / requests > p.maxErrorRate()) {
                return Optional.of(Evidence.of(
                        JUDGE,
                        "error_rate",
                        "error rate > " + pct(p.maxErrorRate()) + " over " + p.errorWindowSeconds() + " s",
                        baselineRequests > 0 ? baselineErrors / baselineRequests : Double.NaN,
                        errors / requests,
                        String.format(
                                Locale.ROOT,
                                "canary error rate %s (%.0f of %.0f requests) over the last %d s",
                                pct(errors / requests),
                                errors,
                                requests,
                                p.errorWindowSeconds())));
            }
        }
        // p99 above the limit in every interval that had data, over the whole window (and most of it had data)
        if (now >= p.p99WindowSeconds()) {
            var w = window(history, now, p.p99WindowSeconds());
            int withData = 0;
            boolean allAbove = true;
            double lowest = Double.POSITIVE_INFINITY;
            double baselineLowest = Double.POSITIVE_INFINITY;
            for (IntervalSample s : w) {
                double v = s.canary().p99Ms();
                if (Double.isFinite(v)) {
                    withData++;
                    allAbove &= v > p.maxP99Ms();
                    lowest = Math.min(lowest, v);
                }
                if (Double.isFinite(s.baseline().p99Ms())) {
                    baselineLowest = Math.min(baselineLowest, s.baseline().p99Ms());
                }
            }
            if (withData > 0 && withData * 4 >= w.size() * 3 && allAbove) {
                return Optional.of(Evidence.of(
                        JUDGE,
                        "p99_ms",
                        "p99 > " + (long) p.maxP99Ms() + " ms over " + p.p99WindowSeconds() + " s",
                        Double.isFinite(baselineLowest) ? baselineLowest : Double.NaN,
                        lowest,
                        String.format(
                                Locale.ROOT,
                                "canary p99 stayed above %.0f ms for %d s (lowest %.0f ms)",
                                p.maxP99Ms(),
                                p.p99WindowSeconds(),
                                lowest)));
            }
        }
        // restarts: a crash loop shows up long before a full window has passed
        var restarts = restarts(history, p, intervalSeconds);
        if (restarts.canary() >= p.maxRestarts()) {
            return Optional.of(Evidence.of(
                    JUDGE,
                    "restarts",
                    "restarts >= " + (long) p.maxRestarts() + " over " + p.restartWindowSeconds() + " s",
                    restarts.baseline(),
                    restarts.canary(),
                    String.format(
                            Locale.ROOT,
                            "%.0f canary pod restarts in the last %d s",
                            restarts.canary(),
                            p.restartWindowSeconds())));
        }
        return Optional.empty();
    }

    /**
     * Pod restarts over the restart trigger's window, as the trigger counts them.
     *
     * @param canary the canary's (0 when it had no data)
     * @param baseline the baseline's, {@code NaN} when the baseline had no data in the window
     */
    public record Restarts(double canary, double baseline) {}

    /**
     * The restarts the restart trigger sees after the intervals so far (oldest first): those of the window that ends
     * with the last interval. What the trigger compares with its limit, and what the thread is told of a canary whose
     * pods restart before it fires. Counted whatever the requests: a crash-looping canary may serve none.
     */
    public static Restarts restarts(List<IntervalSample> history, HardTriggerPolicy p, long intervalSeconds) {
        if (history.isEmpty()) {
            return new Restarts(0, Double.NaN);
        }
        long now = history.getLast().t() + intervalSeconds;
        double restarts = 0, baselineRestarts = 0;
        boolean baselineSeen = false;
        for (IntervalSample s : window(history, now, p.restartWindowSeconds())) {
            if (Double.isFinite(s.canary().restarts())) {
                restarts += s.canary().restarts();
            }
            if (Double.isFinite(s.baseline().restarts())) {
                baselineRestarts += s.baseline().restarts();
                baselineSeen = true;
            }
        }
        return new Restarts(restarts, baselineSeen ? baselineRestarts : Double.NaN);
    }

    /**
     * How long a window the trigger of {@code metric} looks back over, in seconds (the error rate's, p99's or
     * restarts'); empty for a metric no trigger watches.
     */
    static java.util.OptionalLong windowSeconds(HardTriggerPolicy p, String metric) {
        return switch (metric) {
            case "error_rate" -> java.util.OptionalLong.of(p.errorWindowSeconds());
            case "p99_ms" -> java.util.OptionalLong.of(p.p99WindowSeconds());
            case "restarts" -> java.util.OptionalLong.of(p.restartWindowSeconds());
            default -> java.util.OptionalLong.empty();
        };
    }

    private static List<IntervalSample> window(List<IntervalSample> history, long now, long seconds) {
        int from = history.size();
        while (from > 0 && history.get(from - 1).t() >= now - seconds) {
            from--;
        }
        return history.subList(from, history.size());
    }

    /** A rate in percent as the thread's other figures give it ({@link Numbers#percent}): {@code 15.2%}, {@code 5%}. */
    private static String pct(double rate) {
        return Numbers.percent(rate);
    }
}

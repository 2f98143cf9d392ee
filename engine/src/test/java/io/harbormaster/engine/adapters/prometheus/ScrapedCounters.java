package io.harbormaster.engine.adapters.prometheus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntToLongFunction;
import java.util.function.Predicate;

/**
 * Counters scraped the way Prometheus scrapes them, with the exact number of events each analysis interval's scrapes
 * saw: what an exact count must read back.
 *
 * <p>Each scrape target has its own phase and each of its scrapes comes up to a couple of seconds early or late, so
 * scrapes do not line up with intervals; every scrape time has a 0.3 s fraction, so none falls on the whole-second
 * edge of an interval (where Prometheus 2 and 3 disagree about which range holds it). Each scrape of a counter sees
 * some new events: its value grows by them, or, when the process restarted just after the scrape before, the value is
 * just them (a reset). A series can start at a later scrape (a new pod, or a 5xx series a client library creates on
 * the first 500), holding at its first scrape the events it counted since it was created. A failed scrape of a target
 * leaves a staleness marker on its series, as Prometheus does, and its events are seen by the next scrape that works.
 */
final class ScrapedCounters {

    private final Duration period;
    private final Random random;
    private final List<Series> series = new ArrayList<>();

    /** One scrape of one series: {@code seen} new events, or a failed scrape (a staleness marker). */
    record Scrape(long epochMillis, long value, long seen, boolean failed) {}

    /** One counter series and its scrapes, in time order. */
    record Series(String name, Map<String, String> labels, List<Scrape> scrapes) {}

    /** Scrapes every {@code period}, jittered with {@code seed}. */
    ScrapedCounters(Duration period, long seed) {
        this.period = period;
        this.random = new Random(seed);
    }

    /** The scrape times of one target, which of them fail, and its counters. */
    final class Target {
        private final long[] times;
        private final Set<Integer> failed = new TreeSet<>();

        private Target(long[] times) {
            this.times = times;
        }

        /** How many scrapes the target had. */
        int scrapes() {
            return times.length;
        }

        /** When scrape {@code k} was. */
        Instant time(int k) {
            return Instant.ofEpochMilli(times[k]);
        }

        /** The index of the last scrape at or before {@code t}. */
        int lastAtOrBefore(Instant t) {
            int k = 0;
            while (k + 1 < times.length && times[k + 1] <= t.toEpochMilli()) {
                k++;
            }
            return k;
        }

        /** Makes scrape {@code k} fail (call before adding counters). */
        Target fail(int k) {
            failed.add(k);
            return this;
        }

        /** Makes every scrape in {@code (after, until]} fail (call before adding counters). */
        Target failBetween(Instant after, Instant until) {
            for (int k = 0; k < times.length; k++) {
                if (times[k] > after.toEpochMilli() && times[k] <= until.toEpochMilli()) {
                    failed.add(k);
                }
            }
            return this;
        }

        /**
         * A counter of this target from scrape {@code first} on, at {@code initial} there (the events it counted
         * since it was created), seeing {@code growth(k)} events at scrape {@code k} and found reset at the scrapes in
         * {@code resets}.
         */
        Target counter(
                String name,
                Map<String, String> labels,
                int first,
                long initial,
                IntToLongFunction growth,
                Set<Integer> resets) {
            List<Scrape> scrapes = new ArrayList<>();
            long value = initial;
            long unseen = initial;
            for (int k = first; k < times.length; k++) {
                if (k > first) {
                    long events = growth.applyAsLong(k);
                    if (resets.contains(k)) {
                        if (failed.contains(k - 1)) {
                            throw new IllegalArgumentException("a reset after a failed scrape loses events: " + k);
                        }
                        value = events; // the process restarted just after scrape k - 1
                    } else {
                        value += events;
                    }
                    unseen += events;
                }
                if (failed.contains(k)) {
                    // Prometheus marks the series stale at the first failed scrape; later failures add nothing.
                    if (k == first || !failed.contains(k - 1)) {
                        scrapes.add(new Scrape(times[k], 0, 0, true));
                    }
                } else {
                    scrapes.add(new Scrape(times[k], value, unseen, false));
                    unseen = 0;
                }
            }
            series.add(new Series(name, new TreeMap<>(labels), List.copyOf(scrapes)));
            return this;
        }
    }

    /**
     * A scrape target scraped every period from {@code from} plus {@code phase} until before {@code until}, each scrape
     * up to 2 s early or late.
     */
    Target target(Instant from, Instant until, Duration phase) {
        List<Long> times = new ArrayList<>();
        long first = from.toEpochMilli() + phase.toSeconds() * 1000 + 300;
        for (long at = first; at < until.toEpochMilli(); at += period.toMillis()) {
            times.add(at + 1000L * (random.nextInt(5) - 2));
        }
        return new Target(times.stream().mapToLong(Long::longValue).toArray());
    }

    /** A random number of events in {@code [min, max]} for each scrape. */
    IntToLongFunction events(int min, int max) {
        long[] drawn = random.longs(10_000, min, max + 1L).toArray();
        return k -> drawn[k];
    }

    /**
     * The exact count of each interval {@code (from + i·interval, from + (i+1)·interval]}: the events seen by the
     * scrapes in it of the series named {@code name} whose labels pass {@code selected}; NaN for an interval with no
     * working scrape of any of {@code present}'s series (the track was not seen at all).
     */
    double[] perInterval(
            String name,
            Predicate<Map<String, String>> selected,
            Predicate<Map<String, String>> present,
            Instant from,
            Duration interval,
            int intervals) {
        double[] counts = new double[intervals];
        boolean[] seen = new boolean[intervals];
        for (Series s : series) {
            if (!s.name().equals(name)) {
                continue;
            }
            for (Scrape scrape : s.scrapes()) {
                long offset = scrape.epochMillis() - from.toEpochMilli();
                if (scrape.failed() || offset <= 0) {
                    continue;
                }
                int i = (int) ((offset - 1) / interval.toMillis());
                if (i >= intervals) {
                    continue;
                }
                if (present.test(s.labels())) {
                    seen[i] = true;
                }
                if (selected.test(s.labels())) {
                    counts[i] += scrape.seen();
                }
            }
        }
        for (int i = 0; i < intervals; i++) {
            if (!seen[i]) {
                counts[i] = Double.NaN;
            }
        }
        return counts;
    }

    /** How much the selected counters grew in {@code (from, to]}, from their values, resets added up. */
    long growth(String name, Predicate<Map<String, String>> selected, Instant from, Instant to) {
        long total = 0;
        for (Series s : series) {
            if (!s.name().equals(name) || !selected.test(s.labels())) {
                continue;
            }
            Scrape before = null;
            for (Scrape scrape : s.scrapes()) {
                if (scrape.failed()) {
                    continue;
                }
                boolean inside =
                        scrape.epochMillis() > from.toEpochMilli() && scrape.epochMillis() <= to.toEpochMilli();
                if (inside) {
                    // A new series counts from 0; a value below the one before is a reset, counting from 0 again.
                    long base = before == null || scrape.value() < before.value() ? 0 : before.value();
                    total += scrape.value() - base;
                }
                before = scrape;
            }
        }
        return total;
    }

    /**
     * OpenMetrics families (no {@code # EOF}) for promtool's backfill: one per metric name, series in time order.
     * Backfill cannot write staleness markers, so failed scrapes are refused here.
     */
    String openMetrics() {
        Map<String, StringBuilder> families = new LinkedHashMap<>();
        for (Series s : series) {
            String family = s.name().replaceFirst("_total$", "");
            StringBuilder out = families.computeIfAbsent(
                    family, f -> new StringBuilder("# TYPE ").append(f).append(" counter\n"));
            for (Scrape scrape : s.scrapes()) {
                if (scrape.failed()) {
                    throw new IllegalStateException("backfill cannot write the staleness marker of a failed scrape");
                }
                out.append(s.name())
                        .append(labelText(s.labels()))
                        .append(' ')
                        .append(scrape.value())
                        .append(' ')
                        .append(PrometheusHttpApi.seconds(scrape.epochMillis()))
                        .append('\n');
            }
        }
        return String.join("", families.values());
    }

    /** The series for remote write, failed scrapes as staleness markers. */
    List<RemoteWrite.Series> remoteWrite() {
        List<RemoteWrite.Series> out = new ArrayList<>();
        for (Series s : series) {
            Map<String, String> labels = new TreeMap<>(s.labels());
            labels.put("__name__", s.name());
            out.add(new RemoteWrite.Series(
                    labels,
                    s.scrapes().stream()
                            .map(scrape -> new RemoteWrite.Sample(
                                    scrape.epochMillis(), scrape.failed() ? RemoteWrite.STALE : scrape.value()))
                            .toList()));
        }
        return out;
    }

    /** {@code {a="x",b="y"}}, escaped as OpenMetrics wants. */
    private static String labelText(Map<String, String> labels) {
        return labels.entrySet().stream()
                .map(e -> e.getKey() + "=\""
                        + e.getValue()
                                .replace("\\", "\\\\")
                                .replace("\"", "\\\"")
                                .replace("\n", "\\n") + "\"")
                .reduce((a, b) -> a + "," + b)
                .map(s -> "{" + s + "}")
                .orElse("");
    }

    /** Sums the finite values. */
    static double sum(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).sum();
    }
}

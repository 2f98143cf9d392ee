package io.harbormaster.engine.adapters.prometheus;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;
import java.util.function.ToLongFunction;

/**
 * Synthetic Prometheus series of canary deploys, in OpenMetrics text for promtool to backfill, together with the
 * per-interval values a correct adapter must read back from them.
 *
 * <p>The series are those the default templates read: {@code http_requests_total} (by {@code code}),
 * {@code http_request_duration_seconds_bucket} and kube-state-metrics' {@code kube_pod_container_status_restarts_total}
 * for pods named {@code <service>-<track>-...}. Each interval is scraped {@value #SCRAPES_PER_INTERVAL} times, aligned
 * to {@code from}, and each counter grows by the same amount at each scrape of an interval. That makes Prometheus'
 * latency answers exact: with samples on both edges of a window {@code increase} needs no extrapolation, and after a
 * gap (where the window's first edge sample is missing) its extrapolation of an evenly growing counter is exact too.
 * Histogram observations are placed so that each quantile falls exactly on a bucket's upper bound. (The exact counts
 * of {@link PromQlTemplates#exactCount} need none of this; {@link ScrapedCounters} tests them where scrapes do not
 * line up with intervals.)
 */
final class SyntheticCanarySeries {

    static final int SCRAPES_PER_INTERVAL = 2;

    /** Finite histogram bucket bounds in seconds (then {@code +Inf}). */
    static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5};

    /**
     * What one track did in one interval.
     *
     * @param p50Bucket index into {@link #BUCKETS} of the median latency
     * @param p99Bucket index into {@link #BUCKETS} of the 99th percentile, above {@code p50Bucket}
     * @param scraped false for a scrape gap: none of the track's series has a sample inside the interval or at its
     *     end
     */
    record Truth(int requests, int errors, int p50Bucket, int p99Bucket, int restarts, boolean scraped) {
        Truth {
            if (requests % (100 * SCRAPES_PER_INTERVAL) != 0
                    || errors % SCRAPES_PER_INTERVAL != 0
                    || restarts % SCRAPES_PER_INTERVAL != 0
                    || errors > requests) {
                throw new IllegalArgumentException("counts must split evenly across scrapes and percentiles: " + this);
            }
            if (p50Bucket < 0 || p99Bucket <= p50Bucket || p99Bucket >= BUCKETS.length) {
                throw new IllegalArgumentException("p50 bucket must be below p99 bucket: " + this);
            }
        }

        /**
         * The value the adapter must return for this interval, given the counts of the unscraped intervals just before
         * it (which its first scrape is the first to see). An unscraped interval reads 0 of every count, not "no
         * data": its start, the previous interval's last scrape, lies inside its range (Prometheus 2's ranges include
         * their start), so a sample was "in" it; its latencies are no data (no increase without two samples).
         */
        TrackSample expected(Truth carried) {
            if (!scraped) {
                return new TrackSample(0, 0, Double.NaN, Double.NaN, 0);
            }
            boolean traffic = requests > 0;
            return new TrackSample(
                    requests + carried.requests(),
                    errors + carried.errors(),
                    traffic ? BUCKETS[p50Bucket] * 1000 : Double.NaN,
                    traffic ? BUCKETS[p99Bucket] * 1000 : Double.NaN,
                    restarts + carried.restarts());
        }

        /** Observations per histogram bucket (not cumulative; the last is +Inf): half at p50, 49% at p99, 1% above. */
        long[] perBucket() {
            long[] counts = new long[BUCKETS.length + 1];
            counts[p50Bucket] += requests / 2;
            counts[p99Bucket] += requests * 49L / 100;
            counts[p99Bucket + 1] += requests / 100;
            return counts;
        }
    }

    /** No counts: what an interval after a scraped one carries over. */
    private static final Truth NOTHING = new Truth(0, 0, 0, 1, 0, true);

    /** A service's tracks; {@code stable} is empty when the series have none of the stable Deployment's. */
    private record Deploy(
            String service, String namespace, List<Truth> baseline, List<Truth> canary, List<Truth> stable) {
        List<Truth> track(String track) {
            return switch (track) {
                case "baseline" -> baseline;
                case "canary" -> canary;
                default -> stable;
            };
        }

        List<String> tracks() {
            return stable.isEmpty() ? List.of("baseline", "canary") : List.of("baseline", "canary", "stable");
        }

        /**
         * The pod whose restarts kube-state-metrics counts: the canary's and the baseline's are named {@code
         * <service>-<track>-...}, the stable Deployment's after the Deployment, as a Deployment made by hand is.
         */
        String pod(String track) {
            return track.equals("stable") ? service + "-7c9d8f6b5-q4w2e" : service + "-" + track + "-5d8f7c9b4-x2k8p";
        }
    }

    private record Pod(String namespace, String name, IntFunction<Integer> restartsInInterval) {}

    private final Instant from;
    private final Duration interval;
    private final int intervals;
    private final List<Deploy> deploys = new ArrayList<>();
    private final List<Pod> extraPods = new ArrayList<>();

    SyntheticCanarySeries(Instant from, Duration interval, int intervals) {
        if (interval.toMillis() % (1000 * SCRAPES_PER_INTERVAL) != 0) {
            throw new IllegalArgumentException("interval must split into whole-second scrapes: " + interval);
        }
        this.from = from;
        this.interval = interval;
        this.intervals = intervals;
    }

    /** Adds a service's baseline and canary, one {@link Truth} per interval each. */
    SyntheticCanarySeries deploy(
            String service, String namespace, IntFunction<Truth> baseline, IntFunction<Truth> canary) {
        List<Truth> b = new ArrayList<>();
        List<Truth> c = new ArrayList<>();
        for (int i = 0; i < intervals; i++) {
            b.add(baseline.apply(i));
            c.add(canary.apply(i));
        }
        deploys.add(new Deploy(service, namespace, List.copyOf(b), List.copyOf(c), List.of()));
        return this;
    }

    /** Gives a service added with {@link #deploy} series of its stable Deployment too ({@code track="stable"}). */
    SyntheticCanarySeries stable(String service, String namespace, IntFunction<Truth> stable) {
        for (int k = 0; k < deploys.size(); k++) {
            Deploy d = deploys.get(k);
            if (d.service().equals(service) && d.namespace().equals(namespace)) {
                List<Truth> s = new ArrayList<>();
                for (int i = 0; i < intervals; i++) {
                    s.add(stable.apply(i));
                }
                deploys.set(k, new Deploy(service, namespace, d.baseline(), d.canary(), List.copyOf(s)));
                return this;
            }
        }
        throw new IllegalArgumentException("add " + service + " in " + namespace + " with deploy(...) first");
    }

    /**
     * What {@code track()} must return for one track of a service over all intervals. The stable pods' restarts are
     * no data: the default template looks for pods named {@code <service>-stable-...}, and they are not.
     */
    List<TrackSample> expectedTrack(String service, String namespace, String track) {
        Deploy deploy = deploys.stream()
                .filter(d -> d.service().equals(service) && d.namespace().equals(namespace))
                .findFirst()
                .orElseThrow();
        List<TrackSample> out = new ArrayList<>();
        Truth carried = NOTHING;
        for (Truth t : deploy.track(track)) {
            TrackSample e = t.expected(carried);
            out.add(
                    track.equals("stable")
                            ? new TrackSample(e.requests(), e.errors(), e.p50Ms(), e.p99Ms(), Double.NaN)
                            : e);
            carried = t.scraped()
                    ? NOTHING
                    : new Truth(
                            carried.requests() + t.requests(),
                            carried.errors() + t.errors(),
                            0,
                            1,
                            carried.restarts() + t.restarts(),
                            false);
        }
        return out;
    }

    /** Adds the restart counter of a pod that belongs to no deploy above (a decoy a sloppy query would pick up). */
    SyntheticCanarySeries pod(String namespace, String name, IntFunction<Integer> restartsInInterval) {
        extraPods.add(new Pod(namespace, name, restartsInInterval));
        return this;
    }

    /** What {@code samples()} must return for a service over all intervals. */
    List<IntervalSample> expected(String service, String namespace) {
        Deploy deploy = deploys.stream()
                .filter(d -> d.service().equals(service) && d.namespace().equals(namespace))
                .findFirst()
                .orElseThrow();
        List<IntervalSample> out = new ArrayList<>();
        Truth[] carried = {NOTHING, NOTHING};
        for (int i = 0; i < intervals; i++) {
            TrackSample[] tracks = new TrackSample[2];
            for (int track = 0; track < 2; track++) {
                Truth t = (track == 0 ? deploy.baseline() : deploy.canary()).get(i);
                tracks[track] = t.expected(carried[track]);
                carried[track] = t.scraped()
                        ? NOTHING
                        : new Truth(
                                carried[track].requests() + t.requests(),
                                carried[track].errors() + t.errors(),
                                0,
                                1,
                                carried[track].restarts() + t.restarts(),
                                false);
            }
            out.add(new IntervalSample(i * interval.toSeconds(), tracks[0], tracks[1]));
        }
        return out;
    }

    /**
     * The whole data set as OpenMetrics text: one family after another, each series in time order, then
     * {@code moreFamilies} (more OpenMetrics families, of other series), then # EOF.
     */
    String openMetrics(String moreFamilies) {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE http_requests counter\n");
        for (Deploy d : deploys) {
            for (String track : d.tracks()) {
                List<Truth> truths = d.track(track);
                Map<String, String> labels = labels(d, track);
                labels.put("code", "200");
                series(out, "http_requests_total", labels, 100_000, truths, t -> t.requests() - t.errors());
                if (truths.stream().anyMatch(t -> t.errors() > 0)) {
                    // Like client libraries, a 5xx series exists only once a 5xx has happened.
                    labels.put("code", "500");
                    series(out, "http_requests_total", labels, 1_000, truths, Truth::errors);
                }
            }
        }
        out.append("# TYPE http_request_duration_seconds histogram\n");
        for (Deploy d : deploys) {
            for (String track : d.tracks()) {
                List<Truth> truths = d.track(track);
                for (int bucket = 0; bucket <= BUCKETS.length; bucket++) {
                    Map<String, String> labels = labels(d, track);
                    labels.put("le", bucket == BUCKETS.length ? "+Inf" : Double.toString(BUCKETS[bucket]));
                    int upTo = bucket;
                    series(out, "http_request_duration_seconds_bucket", labels, 50_000, truths, t -> {
                        long[] perBucket = t.perBucket();
                        long cumulative = 0;
                        for (int k = 0; k <= upTo; k++) {
                            cumulative += perBucket[k];
                        }
                        return cumulative;
                    });
                }
            }
        }
        out.append("# TYPE kube_pod_container_status_restarts counter\n");
        for (Deploy d : deploys) {
            for (String track : d.tracks()) {
                List<Truth> truths = d.track(track);
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("namespace", d.namespace());
                labels.put("pod", d.pod(track));
                labels.put("container", "app");
                series(out, "kube_pod_container_status_restarts_total", labels, 1, truths, Truth::restarts);
            }
        }
        for (Pod pod : extraPods) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("namespace", pod.namespace());
            labels.put("pod", pod.name());
            labels.put("container", "app");
            series(out, "kube_pod_container_status_restarts_total", labels, 0, i -> true, i -> pod.restartsInInterval()
                    .apply(i));
        }
        return out.append(moreFamilies).append("# EOF\n").toString();
    }

    /**
     * One counter series: its value at every scrape from {@code from}, growing by {@code perInterval} of the
     * interval evenly across its scrapes; samples inside and at the end of an unscraped interval are left out.
     */
    private void series(
            StringBuilder out,
            String name,
            Map<String, String> labels,
            long initial,
            List<Truth> truths,
            ToLongFunction<Truth> perInterval) {
        series(out, name, labels, initial, i -> truths.get(i).scraped(), i -> perInterval.applyAsLong(truths.get(i)));
    }

    private void series(
            StringBuilder out,
            String name,
            Map<String, String> labels,
            long initial,
            IntPredicate scraped,
            IntToLongFunction perInterval) {
        String prefix = name + labelText(labels) + " ";
        long stepMillis = interval.toMillis() / SCRAPES_PER_INTERVAL;
        long value = initial;
        out.append(prefix).append(value).append(' ').append(seconds(0)).append('\n');
        for (int i = 0; i < intervals; i++) {
            long increment = perInterval.applyAsLong(i) / SCRAPES_PER_INTERVAL;
            for (int scrape = 1; scrape <= SCRAPES_PER_INTERVAL; scrape++) {
                value += increment;
                if (scraped.test(i)) {
                    long at = i * interval.toMillis() + scrape * stepMillis;
                    out.append(prefix)
                            .append(value)
                            .append(' ')
                            .append(seconds(at))
                            .append('\n');
                }
            }
        }
    }

    private String seconds(long offsetMillis) {
        long millis = from.toEpochMilli() + offsetMillis;
        return PrometheusHttpApi.seconds(millis);
    }

    private static Map<String, String> labels(Deploy d, String track) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", d.namespace());
        labels.put("service", d.service());
        labels.put("track", track);
        return labels;
    }

    /** {@code {a="x",b="y"}} with OpenMetrics escaping of backslash, double quote and newline. */
    private static String labelText(Map<String, String> labels) {
        StringBuilder out = new StringBuilder("{");
        labels.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(k).append("=\"");
            out.append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
            out.append('"');
        });
        return out.append('}').toString();
    }
}

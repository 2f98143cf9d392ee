package io.harbormaster.sandbox;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.Track;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Metrics of the simulated cluster's pods behind the engine's {@link MetricsSource} port. Each track gets the share of
 * the service's traffic that its pods have; each request fails with the version's error rate and takes a lognormal
 * time (median 40 ms, sigma 0.35, times the version's latency factor). An interval, once produced, is remembered by
 * its start time and length (and track), so replaying a canary's analysis sees the same numbers every time, whichever
 * query's range it falls in. The simulator keeps no past: an interval is produced from the pods as they are when it is
 * first read, so the stable track's minutes before a canary, read once it started, get the stable pods' share then
 * (the noise per request, which is what the pipeline reads them for, is the same at any share).
 */
public final class SimulatedMetrics implements MetricsSource {
    static final double BASE_ERROR_RATE = 0.005;
    static final double MEDIAN_MS = 40;
    static final double SIGMA = 0.35;

    private final SimulatedCluster cluster;
    private final Function<String, RolloutTarget> targets;
    private final double requestsPerSecond;
    private final long seed;
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, IntervalSample> produced = new ConcurrentHashMap<>();
    private final Map<String, TrackSample> producedStable = new ConcurrentHashMap<>();
    private volatile String outage;

    /**
     * @param targets the rollout target of a service name
     * @param requestsPerSecond the service's total traffic
     */
    public SimulatedMetrics(
            SimulatedCluster cluster, Function<String, RolloutTarget> targets, double requestsPerSecond, long seed) {
        this.cluster = cluster;
        this.targets = targets;
        this.requestsPerSecond = requestsPerSecond;
        this.seed = seed;
    }

    /** Makes every pod running {@code version} of {@code service} behave as {@code fault} says. */
    public void inject(String service, String version, Fault fault) {
        faults.put(service + ":" + version, fault);
    }

    /** The fault injected into {@code version} of {@code service}, or {@link Fault#NONE}. */
    public Fault fault(String service, String version) {
        return faults.getOrDefault(service + ":" + version, Fault.NONE);
    }

    /**
     * Makes the metrics store unreachable (every query fails with {@code reason}) until called again with
     * {@code null}: a Prometheus outage.
     */
    public void outage(String reason) {
        outage = reason;
    }

    @Override
    public List<IntervalSample> samples(MetricsQuery q) {
        var down = outage;
        if (down != null) {
            throw new MetricsUnavailable("simulated metrics store unavailable: " + down);
        }
        long step = q.interval().toSeconds();
        long n = (q.to().getEpochSecond() - q.from().getEpochSecond()) / step;
        var out = new ArrayList<IntervalSample>();
        for (long i = 0; i < n; i++) {
            long t = i * step;
            // an interval is known by when it starts, so a query from a later start (the intervals after those a
            // canary froze) reads the same numbers for it as one from the canary's start; t counts from the query's
            long start = q.from().getEpochSecond() + t;
            var key = q.service() + "/" + start + "/" + step;
            var sample = produced.computeIfAbsent(key, k -> produce(q.service(), start, step, k.hashCode()));
            out.add(new IntervalSample(t, sample.baseline(), sample.canary()));
        }
        return out;
    }

    @Override
    public List<TrackSample> track(MetricsQuery q, String track) {
        switch (track) {
            case "baseline", "canary" -> {
                boolean baseline = track.equals("baseline");
                return samples(q).stream()
                        .map(s -> baseline ? s.baseline() : s.canary())
                        .toList();
            }
            case MetricsSource.STABLE -> {
                var down = outage;
                if (down != null) {
                    throw new MetricsUnavailable("simulated metrics store unavailable: " + down);
                }
                long step = q.interval().toSeconds();
                long n = (q.to().getEpochSecond() - q.from().getEpochSecond()) / step;
                var out = new ArrayList<TrackSample>();
                for (long i = 0; i < n; i++) {
                    long start = q.from().getEpochSecond() + i * step;
                    var key = q.service() + "/stable/" + start + "/" + step;
                    out.add(producedStable.computeIfAbsent(key, k -> {
                        var workloads = cluster.workloads(targets.apply(q.service()));
                        var random = new SplittableRandom(seed ^ ((long) k.hashCode() << 17) ^ start);
                        return track(q.service(), workloads.get(Track.STABLE), pods(workloads), step, random);
                    }));
                }
                return out;
            }
            default ->
                throw new IllegalArgumentException(
                        "simulated metrics: no track '" + track + "' (stable, baseline or canary)");
        }
    }

    private static int pods(Map<Track, SimulatedCluster.Workload> workloads) {
        return workloads.values().stream()
                .mapToInt(SimulatedCluster.Workload::replicas)
                .sum();
    }

    /** The interval that starts at {@code start} (epoch seconds), numbered 0 (the caller numbers it). */
    private IntervalSample produce(String service, long start, long seconds, int salt) {
        var workloads = cluster.workloads(targets.apply(service));
        int pods = pods(workloads);
        var random = new SplittableRandom(seed ^ ((long) salt << 17) ^ start);
        return new IntervalSample(
                0,
                track(service, workloads.get(Track.BASELINE), pods, seconds, random),
                track(service, workloads.get(Track.CANARY), pods, seconds, random));
    }

    private TrackSample track(
            String service, SimulatedCluster.Workload w, int pods, long seconds, SplittableRandom random) {
        if (w == null || pods == 0 || !w.ready()) {
            return TrackSample.NO_DATA;
        }
        var fault = faults.getOrDefault(service + ":" + versionOf(w.image()), Fault.NONE);
        double errorRate = Double.isNaN(fault.errorRate()) ? BASE_ERROR_RATE : fault.errorRate();
        int requests = poisson(requestsPerSecond * seconds * w.replicas() / pods, random);
        int errors = 0;
        var latencies = new double[Math.max(1, Math.min(requests, 4000))];
        for (int i = 0; i < requests; i++) {
            if (random.nextDouble() < errorRate) {
                errors++;
            }
            if (i < latencies.length) {
                latencies[i] = MEDIAN_MS * fault.latencyFactor() * Math.exp(SIGMA * gaussian(random));
            }
        }
        if (requests == 0) {
            return new TrackSample(0, 0, Double.NaN, Double.NaN, 0);
        }
        Arrays.sort(latencies);
        return new TrackSample(requests, errors, quantile(latencies, 0.5), quantile(latencies, 0.99), 0);
    }

    static String versionOf(String image) {
        int colon = image.lastIndexOf(':');
        return colon < 0 || image.indexOf('/', colon) >= 0 ? "" : image.substring(colon + 1);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static double gaussian(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static int poisson(double mean, SplittableRandom r) {
        if (mean > 50) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(r)));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    @Override
    public boolean isOnline() {
        return true;
    }
}

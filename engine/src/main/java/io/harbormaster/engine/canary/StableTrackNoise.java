package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.List;

/**
 * The noise of a service read from its stable track before a canary starts, for a canary that has no earlier canaries
 * of the service to learn it from. The stable track serves the image the baseline runs, so its latency quantiles vary
 * from one interval to the next as the baseline's do, per request: within blocks of {@link LatencyEProcess#BLOCK}
 * intervals each interval's log quantile is contrasted with the request-weighted mean of the block's earlier ones and
 * whitened by its requests (the same level contrasts {@link LatencyEProcess} takes), which measures the per-request
 * noise whatever slow drift the level has. Its error counts give the bursts as the baseline's do
 * ({@link ErrorDispersion}).
 */
public final class StableTrackNoise {
    private StableTrackNoise() {}

    /** The noise of {@code intervals} of the stable track, oldest first (intervals without data are skipped). */
    public static CanaryNoise of(List<TrackSample> intervals) {
        var p50 = new Contrasts();
        var p99 = new Contrasts();
        var bursts = new ErrorDispersion();
        int spreadIntervals = 0;
        double spreadSum = 0;
        for (TrackSample s : intervals) {
            double n = s.requests();
            if (!(n > 0) || !Double.isFinite(n)) {
                p50.breakBlock();
                p99.breakBlock();
                continue;
            }
            bursts.observe(n, s.errors());
            p50.add(s.p50Ms(), n);
            p99.add(s.p99Ms(), n);
            if (s.p50Ms() > 0 && s.p99Ms() > 0 && Double.isFinite(s.p50Ms() + s.p99Ms())) {
                spreadIntervals++;
                spreadSum += Math.log(s.p99Ms()) - Math.log(s.p50Ms());
            }
        }
        var p50Reading = p50.reading();
        var p99Reading = p99.reading();
        if (p50Reading.values() == 0 || p99Reading.values() == 0 || spreadIntervals == 0) {
            return new CanaryNoise(
                    CanaryNoise.Reading.NONE, CanaryNoise.Reading.NONE, CanaryNoise.Spread.NONE, bursts.own());
        }
        return new CanaryNoise(
                p50Reading, p99Reading, new CanaryNoise.Spread(spreadIntervals, spreadSum), bursts.own());
    }

    /** One quantile's level contrasts within blocks. */
    private static final class Contrasts {
        private final List<double[]> block = new ArrayList<>();
        private double squares;
        private double floor;
        private int values;

        void add(double ms, double requests) {
            if (!(ms > 0) || !Double.isFinite(ms)) {
                breakBlock();
                return;
            }
            double level = Math.log(ms);
            if (!block.isEmpty()) {
                double w = 0, mean = 0;
                for (double[] b : block) {
                    w += b[0];
                    mean += b[0] * b[1];
                }
                mean /= w;
                double r = Math.sqrt(1 / requests + 1 / w);
                double z = (level - mean) / r;
                double resolution = LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION / (r * r);
                squares += z * z + resolution;
                floor += resolution;
                values++;
            }
            block.add(new double[] {requests, level});
            if (block.size() == LatencyEProcess.BLOCK) {
                block.clear();
            }
        }

        void breakBlock() {
            block.clear();
        }

        CanaryNoise.Reading reading() {
            if (values < LatencyEProcess.MIN_RECORDED || floor >= squares / 2) {
                return CanaryNoise.Reading.NONE;
            }
            return new CanaryNoise.Reading(values, squares);
        }
    }
}

package io.harbormaster.engine.canary;

import java.util.ArrayList;

/**
 * The latency levels of one block of consecutive intervals (at most {@link LatencyEProcess#BLOCK}, a minute, over
 * which a service's level barely drifts), for the weighted Helmert contrasts that measure per-request noise whatever
 * slow drift the level has: each level after the block's first is contrasted with the request-weighted mean of the
 * block's earlier levels and whitened by the requests on both sides. Under a constant level these contrasts are
 * independent of each other. {@link LatencyEProcess} takes them within a canary (both tracks' level), and
 * {@link StableTrackNoise} from the stable track before one; both need the same arithmetic, so it lives here.
 */
final class LevelBlock {
    /**
     * One contrast: the whitened difference {@code z} of a level from the block's earlier mean, its scale {@code r}
     * (the difference's standard deviation per unit of per-request noise) and the earlier levels' requests {@code
     * weight}.
     */
    record Contrast(double z, double r, double weight) {
        /** The resolution floor {@link LatencyEProcess#RESOLUTION} of a reading, whitened as this contrast is. */
        double floor() {
            return LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION / (r * r);
        }
    }

    /** The block's levels: requests, level (log ms), the canary's requests among them, and the interval's index. */
    private final ArrayList<double[]> levels = new ArrayList<>();

    /** The contrast of {@code level} (from {@code requests}) with the block's earlier levels; null for its first. */
    Contrast contrast(double level, double requests) {
        if (levels.isEmpty()) {
            return null;
        }
        double w = 0, mean = 0;
        for (double[] b : levels) {
            w += b[0];
            mean += b[0] * b[1];
        }
        mean /= w;
        double r = Math.sqrt(1 / requests + 1 / w);
        return new Contrast((level - mean) / r, r, w);
    }

    /**
     * The canary's requests among the block's levels from interval {@code index} on: what a shift of the canary that
     * began at that interval moved the block's earlier mean by (times the block's weight).
     */
    double canaryRequestsFrom(int index) {
        double moved = 0;
        for (double[] b : levels) {
            if (b[3] >= index) {
                moved += b[2];
            }
        }
        return moved;
    }

    /** Adds a level to the block; a full block starts over. */
    void add(double level, double requests, double canaryRequests, int index) {
        levels.add(new double[] {requests, level, canaryRequests, index});
        if (levels.size() == LatencyEProcess.BLOCK) {
            levels.clear();
        }
    }

    /** Starts a new block (a gap: a contrast is only taken between neighbours). */
    void clear() {
        levels.clear();
    }
}

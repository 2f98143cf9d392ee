package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankMetricsTest {
    static final boolean[] LABELS = {true, true, false, false, false};

    @Test
    void perfectReversedAndTiedRankingsScoreOneZeroAndAHalf() {
        assertEquals(1.0, new RankMetrics(new double[] {5, 4, 3, 2, 1}, LABELS).auc());
        assertEquals(0.0, new RankMetrics(new double[] {1, 2, 3, 4, 5}, LABELS).auc());
        assertEquals(0.5, new RankMetrics(new double[] {1, 1, 1, 1, 1}, LABELS).auc());
    }

    @Test
    void catchCountsBadChangesAmongTheTopShare() {
        var m = new RankMetrics(new double[] {5, 1, 4, 3, 2}, LABELS);
        assertEquals(0.5, m.catchAt(0.2));
        assertEquals(0.5, m.catchAt(0.4));
        assertEquals(1.0, m.catchAt(1.0));
    }

    @Test
    void bootstrapIntervalsSurroundThePointEstimate() {
        var data = SyntheticChanges.generate(2000, 9);
        var scores = new double[data.size()];
        var labels = new boolean[data.size()];
        for (int i = 0; i < data.size(); i++) {
            scores[i] = SyntheticChanges.truth(data.row(i));
            labels[i] = data.buggy(i);
        }
        var m = new RankMetrics(scores, labels);
        var ci = m.bootstrap(new double[] {0.11}, 200, 1);
        assertTrue(ci[0][0] < m.auc() && m.auc() < ci[0][1], java.util.Arrays.toString(ci[0]));
        assertTrue(ci[1][0] < m.catchAt(0.11) && m.catchAt(0.11) < ci[1][1]);
        assertTrue(ci[0][1] - ci[0][0] < 0.1);
    }
}

package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RiskTrainerTest {
    static TrainingData train;
    static TrainingData fresh;
    static RiskModel model;

    @BeforeAll
    static void trainOnce() {
        train = SyntheticChanges.generate(4000, 1);
        fresh = SyntheticChanges.generate(4000, 2);
        model = RiskTrainer.train(train, "synthetic", TrainingOptions.defaults());
    }

    static double[] logits(RiskModel m, TrainingData d) {
        var out = new double[d.size()];
        for (int i = 0; i < d.size(); i++) {
            out[i] = m.logit(d.row(i));
        }
        return out;
    }

    static boolean[] labels(TrainingData d) {
        var out = new boolean[d.size()];
        for (int i = 0; i < d.size(); i++) {
            out[i] = d.buggy(i);
        }
        return out;
    }

    @Test
    void aLearnedModelRanksFreshChangesNearlyAsWellAsTheTruth() {
        var truth = new double[fresh.size()];
        for (int i = 0; i < fresh.size(); i++) {
            truth[i] = SyntheticChanges.truth(fresh.row(i));
        }
        double best = new RankMetrics(truth, labels(fresh)).auc();
        double learned = new RankMetrics(logits(model, fresh), labels(fresh)).auc();
        assertTrue(learned > 0.7, "learned AUC " + learned);
        assertTrue(learned > best - 0.03, "learned AUC " + learned + " vs the truth's " + best);
    }

    @Test
    void theThresholdEscalatesTheTargetShareOfTrainingChanges() {
        int over = 0;
        for (double l : logits(model, train)) {
            over += l >= model.threshold().logit() ? 1 : 0;
        }
        double rate = (double) over / train.size();
        assertEquals(0.11, model.threshold().targetRate());
        assertEquals(rate, model.threshold().trainingRate(), 1e-12);
        assertEquals(0.11, rate, 0.005);
        assertEquals(
                RiskModel.score(model.threshold().logit()), model.threshold().score(), 1e-9);
    }

    @Test
    void anotherTargetRateMovesTheThreshold() {
        var strict =
                RiskTrainer.train(train, "synthetic", TrainingOptions.defaults().withTargetRate(0.3));
        assertEquals(0.3, strict.threshold().trainingRate(), 0.005);
        assertTrue(strict.threshold().score() < model.threshold().score());
    }

    @Test
    void theValidationSliceIsTheMostRecentFifthAndItsFiguresAreKept() {
        assertEquals(800, model.training().validationRows());
        assertTrue(model.training().validationAuc().keySet().containsAll(List.of("logistic", "trees", "blend")));
        assertTrue(model.logisticWeight() >= 0 && model.logisticWeight() <= 1);
    }

    @Test
    void riskRisesWithTheMetricsThatDriveIt() {
        var low = SyntheticChanges.generate(1, 3).row(0).clone();
        var high = low.clone();
        low[4] = 5;
        high[4] = 2000; // lines added
        assertTrue(model.logit(high) > model.logit(low));
    }

    @Test
    void aChangeOneHalfLifeOlderCountsHalfAndWeightsAverageOne() {
        long year = (long) (365.25 * 86400);
        var rows = new double[][] {{1}, {1}, {1}};
        var data = new TrainingData(
                List.of(JitMetric.LA),
                rows,
                new boolean[] {true, false, true},
                new long[] {0, year, 2 * year},
                List.of());
        var w = RiskTrainer.recencyWeights(data, new int[] {0, 1, 2}, 1.0);
        assertEquals(0.5, w[1] / w[2], 1e-12);
        assertEquals(0.25, w[0] / w[2], 1e-12);
        assertEquals(3.0, w[0] + w[1] + w[2], 1e-12);
    }

    @Test
    void tooFewChangesAreRefusedWithWhatIsNeeded() {
        var tiny = SyntheticChanges.generate(20, 4);
        var e = assertThrows(DatasetError.class, () -> RiskTrainer.train(tiny, "tiny.csv", TrainingOptions.defaults()));
        assertTrue(e.getMessage().startsWith("tiny.csv has 20 labelled changes"), e.getMessage());
    }

    @Test
    void theDeployHistoryTrainsThroughItsPort() {
        var changes = new ArrayList<LabelledChange>();
        for (int i = 0; i < train.size(); i++) {
            changes.add(new LabelledChange(
                    train.metricsOf(i), DeployContext.neutral(), train.buggy(i), Instant.ofEpochSecond(train.time(i))));
        }
        OutcomeHistory history = () -> changes;
        var fromHistory = RiskTrainer.train(history, TrainingOptions.defaults());
        assertEquals("deploy history", fromHistory.training().source());
        assertEquals(
                SyntheticChanges.METRICS.stream().map(JitMetric::key).sorted().toList(),
                fromHistory.features().stream().sorted().toList());
        double auc = new RankMetrics(logits(fromHistory, fresh), labels(fresh)).auc();
        assertTrue(auc > 0.7, "AUC " + auc);
    }
}

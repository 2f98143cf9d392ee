package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.policy.Criticality;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RiskScorerTest {
    static RiskModel model;
    static RiskScorer scorer;

    @BeforeAll
    static void train() {
        model = RiskTrainer.train(SyntheticChanges.generate(3000, 11), "synthetic", TrainingOptions.defaults());
        scorer = RiskScorer.withDefaultRules(model);
    }

    static ChangeMetrics metrics(double la, double fix) {
        var m = new EnumMap<JitMetric, Double>(JitMetric.class);
        var row = SyntheticChanges.generate(1, 5).row(0);
        for (int j = 0; j < row.length; j++) {
            m.put(SyntheticChanges.METRICS.get(j), row[j]);
        }
        m.put(JitMetric.LA, la);
        m.put(JitMetric.FIX, fix);
        return new ChangeMetrics(m);
    }

    static double logit(double score) {
        double p = score / 100;
        return Math.log(p / (1 - p));
    }

    @Test
    void contributionsAndBiasAddUpToTheScore() {
        var a = scorer.assess(RiskInput.ofMetrics(metrics(300, 1)));
        double sum = a.bias();
        for (var f : a.factors()) {
            sum += f.contribution();
        }
        assertEquals(logit(a.score()), sum, 1e-9);
    }

    @Test
    void contextFactorsAreCountedInTheSumToo() {
        var context =
                new DeployContext(Criticality.CRITICAL, 2, 1, 7, java.time.DayOfWeek.SATURDAY, 23, CiStatus.GREEN);
        var in = new RiskInput("s", "1", true, metrics(30, 0), List.of(), Set.of(), Set.of(), context, List.of());
        var a = scorer.assess(in);
        double sum = a.bias();
        for (var f : a.factors()) {
            sum += f.contribution();
        }
        assertEquals(logit(a.score()), sum, 1e-9);
        assertTrue(a.factors().stream().anyMatch(f -> f.name().equals("criticality") && f.contribution() > 0));
        assertTrue(a.factors().stream().anyMatch(f -> f.words().contains("weekend")));
    }

    @Test
    void factorsAreSortedByTheSizeOfTheirEffect() {
        var a = scorer.assess(RiskInput.ofMetrics(metrics(3000, 1)));
        for (int k = 1; k < a.factors().size(); k++) {
            assertTrue(Math.abs(a.factors().get(k - 1).contribution())
                    >= Math.abs(a.factors().get(k).contribution()));
        }
        assertTrue(a.factors().getFirst().words().contains(":")
                || a.factors().getFirst().words().contains("fix"));
    }

    @Test
    void aScoreAtTheThresholdEscalatesAndSaysWhy() {
        var risky = scorer.assess(RiskInput.ofMetrics(metrics(20000, 1)));
        var e = assertInstanceOf(RiskDecision.Escalate.class, risky.decision());
        assertTrue(
                e.reasons().getLast().contains("at or above the threshold"),
                e.reasons().toString());
        assertTrue(risky.reasoning().getFirst().contains("set so that 11% of training changes escalate"));
    }

    @Test
    void aLowScoreWithNoRuleProceedsAndStillShowsTheThreshold() {
        var calm = scorer.assess(RiskInput.ofMetrics(metrics(1, 0)));
        assertInstanceOf(RiskDecision.Proceed.class, calm.decision());
        assertTrue(
                calm.reasoning().getFirst().contains("is below the threshold"),
                calm.reasoning().toString());
    }

    @Test
    void aRuleEscalatesHoweverLowTheScore() {
        var in = new RiskInput(
                "s",
                "1",
                true,
                metrics(1, 0),
                List.of("db/migration/V2__x.sql"),
                Set.of(),
                Set.of(),
                DeployContext.neutral(),
                List.of());
        var a = scorer.assess(in);
        assertTrue(a.score() < a.threshold().score());
        var e = assertInstanceOf(RiskDecision.Escalate.class, a.decision());
        assertTrue(
                e.reasons().getFirst().endsWith("[schema-migration]"),
                e.reasons().toString());
    }

    @Test
    void aMissingMetricGetsTheRiskiestTypicalValueAndSaysSo() {
        var full = metrics(40, 0);
        var map = new EnumMap<JitMetric, Double>(JitMetric.class);
        map.putAll(full.values());
        map.remove(JitMetric.LA);
        var a = scorer.assess(RiskInput.ofMetrics(new ChangeMetrics(map)));
        assertTrue(
                a.assumptions().getFirst().startsWith("la (lines added) missing: taken as the training "),
                a.assumptions().toString());
        double p10 = model.percentiles().get("la")[10];
        double p50 = model.percentiles().get("la")[50];
        var low = scorer.assess(RiskInput.ofMetrics(full.with(JitMetric.LA, p10)));
        var mid = scorer.assess(RiskInput.ofMetrics(full.with(JitMetric.LA, p50)));
        assertTrue(a.score() >= low.score() && a.score() >= mid.score());
        // where the factors are listed, the filled value is marked as assumed, and only that one
        var assumed = a.factors().stream()
                .filter(f -> f.words().contains("assumed, not announced"))
                .map(Factor::name)
                .toList();
        assertEquals(List.of("la"), assumed, a.factors().toString());
        var la = a.factors().stream()
                .filter(f -> f.name().equals("la"))
                .findFirst()
                .orElseThrow();
        assertTrue(la.words().startsWith("lines added: "), la.words());
        assertTrue(la.words().contains(" (assumed, not announced; "), la.words());
    }

    @Test
    void assumedValuesReadAsAPersonReadsThemCountsWholeDaysToATenthAndFlagsAsYesOrNo() {
        // the shipped model's percentiles come from public data that averages some counts over files: 275.25
        // earlier changes, 0.17 of the author's, 10.6 days
        var shipped = RiskScorer.withDefaultRules(RiskModelJson.defaultModel());
        var only = new EnumMap<JitMetric, Double>(JitMetric.class);
        only.put(JitMetric.LA, 10.0);
        only.put(JitMetric.LD, 2.0);
        only.put(JitMetric.NF, 1.0);
        var a = shipped.assess(RiskInput.ofMetrics(new ChangeMetrics(only)));
        var words = a.factors().stream().map(Factor::words).toList();
        var said = String.join("\n", words) + "\n" + String.join("\n", a.assumptions());
        assertTrue(said.contains("earlier changes to these files: about 275 (assumed, not announced;"), said);
        assertTrue(said.contains("author's earlier changes in these subsystems: under 1 (assumed"), said);
        assertTrue(said.contains("days since these files were last changed: 10.6 (assumed"), said);
        assertTrue(said.contains("lines added: 10 (lower than"), said);
        assertTrue(
                said.contains("nuc (earlier changes to these files) missing: taken as the training 90th percentile"
                        + " (about 275), the riskiest of the 10th/50th/90th"),
                said);
        assertTrue(
                said.contains("fix (the change is a bug fix) missing: taken as the training 90th percentile (yes)"),
                said);
        // before: "used under 1", which reads as if nothing was used
        assertTrue(
                said.contains("sexp (author's earlier changes in these subsystems) missing: taken as the training"
                        + " 10th percentile (under 1)"),
                said);
        assertTrue(!said.contains("used under 1") && !said.contains("used yes"), said);
        assertTrue(!said.contains("275.25") && !said.contains("0.17") && !said.contains("10.60"), said);
    }

    @Test
    void metricValuesAreWrittenForTheirKind() {
        assertEquals("3", JitMetric.NF.reads(3));
        assertEquals("about 16", JitMetric.NUC.reads(15.8387));
        assertEquals("under 1", JitMetric.NDEV.reads(1 / 3.0));
        assertEquals("0", JitMetric.NDEV.reads(0));
        assertEquals("10.6", JitMetric.AGE.reads(10.6));
        assertEquals("134", JitMetric.AGE.reads(134.0));
        assertEquals("2.97", JitMetric.ENTROPY.reads(2.96660255));
        assertEquals("1", JitMetric.ENTROPY.reads(0.99781833));
        assertEquals("yes", JitMetric.FIX.reads(1));
        assertEquals("no", JitMetric.FIX.reads(0));
    }

    @Test
    void theThresholdsRateIsSaidAsTheRateItWasSetFor() {
        var rate = RiskTrainer.train(
                SyntheticChanges.generate(3000, 11),
                "synthetic",
                TrainingOptions.defaults().withTargetRate(0.125));
        var a = RiskScorer.withDefaultRules(rate).assess(RiskInput.ofMetrics(metrics(30, 0)));
        assertTrue(
                a.reasoning().getFirst().contains("(set so that 12.5% of training changes escalate)"),
                a.reasoning().getFirst());
    }

    @Test
    void contextFactorsCountTheirThingsInTheRightNumber() {
        var one = new DeployContext(Criticality.MEDIUM, 1, 1, 1, java.time.DayOfWeek.TUESDAY, 11, CiStatus.GREEN);
        var two = new DeployContext(Criticality.MEDIUM, 2, 2, 2, java.time.DayOfWeek.TUESDAY, 11, CiStatus.GREEN);

        var words1 =
                ContextPrior.defaults().factors(one).stream().map(Factor::words).toList();
        var words2 =
                ContextPrior.defaults().factors(two).stream().map(Factor::words).toList();

        assertTrue(
                words1.containsAll(List.of(
                        "1 recent rollback of the service", "1 recent incident of the service", "1 dependent service")),
                words1.toString());
        assertTrue(
                words2.containsAll(List.of(
                        "2 recent rollbacks of the service",
                        "2 recent incidents of the service",
                        "2 dependent services")),
                words2.toString());
    }
}

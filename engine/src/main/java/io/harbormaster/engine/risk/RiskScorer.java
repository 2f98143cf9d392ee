package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Scores a deploy: the always-escalate rules, then the model with the deploy context, then the threshold. */
public final class RiskScorer {
    // Candidates for a missing metric: the training 10th, 50th and 90th percentiles; the riskiest one is used.
    private static final int[] FILL_PERCENTILES = {10, 50, 90};

    private final RiskModel model;
    private final RiskModelId id;
    private final List<EscalationRule> rules;
    private final List<JitMetric> metrics;

    /** @param id which model this is, named in every assessment (and so in the audit log) */
    public RiskScorer(RiskModel model, RiskModelId id, List<EscalationRule> rules) {
        this.model = model;
        this.id = id;
        this.rules = List.copyOf(rules);
        this.metrics = model.metrics();
    }

    /** A scorer with the default rules. */
    public static RiskScorer withDefaultRules(RiskModel model, RiskModelId id) {
        return new RiskScorer(model, id, EscalationRules.all(EscalationRulesConfig.defaults()));
    }

    /** A scorer with the default rules for a model that was not loaded from anywhere (its source: in memory). */
    public static RiskScorer withDefaultRules(RiskModel model) {
        return withDefaultRules(model, RiskModelId.of(model, "in memory"));
    }

    /** The model this scorer uses. */
    public RiskModel model() {
        return model;
    }

    /** Which model this scorer uses. */
    public RiskModelId modelId() {
        return id;
    }

    /** Scores one deploy. */
    public RiskAssessment assess(RiskInput input) {
        var outcomes = new ArrayList<RuleOutcome>(rules.size());
        var reasons = new ArrayList<String>();
        for (var rule : rules) {
            var outcome = rule.check(input);
            outcomes.add(outcome);
            if (outcome instanceof RuleOutcome.Escalate e) {
                reasons.add(e.reason() + " [" + e.rule() + "]");
            }
        }
        var assumptions = new ArrayList<>(input.assumptions());
        var assumed = new boolean[metrics.size()];
        var x = valuesWithConservativeDefaults(input.metrics(), assumptions, assumed);

        var contributions = new double[x.length];
        double bias = model.contributions(x, contributions);
        var factors = new ArrayList<Factor>(x.length + 6);
        double logit = bias;
        for (int j = 0; j < x.length; j++) {
            logit += contributions[j];
            factors.add(new Factor(metrics.get(j).key(), describe(metrics.get(j), x[j], assumed[j]), contributions[j]));
        }
        for (var f : model.context().factors(input.context())) {
            logit += f.contribution();
            factors.add(f);
        }
        factors.sort(Comparator.comparingDouble((Factor f) -> -Math.abs(f.contribution())));

        var threshold = model.threshold();
        double score = RiskModel.score(logit);
        boolean over = logit >= threshold.logit();
        var scoreLine = String.format(
                Locale.ROOT,
                "risk score %.1f %s the threshold %.1f (set so that %s of training changes escalate)",
                score,
                over ? "is at or above" : "is below",
                threshold.score(),
                io.harbormaster.engine.text.Numbers.percent(threshold.targetRate()));
        if (over) {
            reasons.add(scoreLine);
        }
        RiskDecision decision = reasons.isEmpty() ? new RiskDecision.Proceed() : new RiskDecision.Escalate(reasons);

        var reasoning = new ArrayList<String>();
        reasoning.add(over || reasons.isEmpty() ? scoreLine : scoreLine + "; escalated by rule");
        for (var r : reasons) {
            if (!r.equals(scoreLine)) {
                reasoning.add("always escalate: " + r);
            }
        }
        for (var outcome : outcomes) {
            if (outcome instanceof RuleOutcome.Note n) {
                reasoning.add("note: " + n.text() + " [" + n.rule() + "]");
            }
        }
        for (int k = 0; k < Math.min(3, factors.size()); k++) {
            var f = factors.get(k);
            reasoning.add(String.format(Locale.ROOT, "%s: %s (%+.2f)", f.words(), f.effect(), f.contribution()));
        }
        for (var a : assumptions) {
            reasoning.add("assumed: " + a);
        }
        return new RiskAssessment(
                input.service(),
                input.version(),
                score,
                threshold,
                decision,
                factors,
                bias,
                outcomes,
                assumptions,
                reasoning,
                id);
    }

    /** The metrics' values, the missing ones filled (and marked in {@code assumed}, said in {@code assumptions}). */
    private double[] valuesWithConservativeDefaults(ChangeMetrics given, List<String> assumptions, boolean[] assumed) {
        var x = new double[metrics.size()];
        var missing = new ArrayList<Integer>();
        for (int j = 0; j < x.length; j++) {
            var v = given.value(metrics.get(j));
            if (v.isPresent()) {
                x[j] = v.getAsDouble();
            } else {
                missing.add(j);
                assumed[j] = true;
                x[j] = percentile(metrics.get(j), 50);
            }
        }
        // Greedy, one metric at a time: try each candidate and keep the one that raises the logit most.
        for (int j : missing) {
            double best = x[j];
            double bestLogit = Double.NEGATIVE_INFINITY;
            int bestPercentile = 50;
            for (int p : FILL_PERCENTILES) {
                x[j] = percentile(metrics.get(j), p);
                double l = model.logit(x);
                if (l > bestLogit) {
                    bestLogit = l;
                    best = x[j];
                    bestPercentile = p;
                }
            }
            x[j] = best;
            assumptions.add(String.format(
                    Locale.ROOT,
                    // the value in parentheses: it may be "under 1" or "yes", which read as no value after "used"
                    "%s (%s) missing: taken as the training %dth percentile (%s), the riskiest of the"
                            + " 10th/50th/90th",
                    metrics.get(j).key(),
                    metrics.get(j).words(),
                    bestPercentile,
                    metrics.get(j).reads(best)));
        }
        return x;
    }

    private double percentile(JitMetric m, int p) {
        var ps = model.percentiles().get(m.key());
        return ps == null ? 0 : ps[p];
    }

    /**
     * The metric and its value in words; an {@code assumed} value (CI did not announce it, and the model's
     * conservative fill stands in) is marked as such, so that nobody reads it as a fact about the change.
     */
    private String describe(JitMetric m, double value, boolean assumed) {
        var mark = assumed ? "assumed, not announced" : "";
        if (m.isFlag()) {
            var words = value >= 0.5 ? m.words() : "not " + m.words().replace("the change is ", "");
            return assumed ? words + " (" + mark + ")" : words;
        }
        double rank = model.percentileRank(m.key(), value);
        String where;
        if (rank >= 0.5) {
            where = String.format(Locale.ROOT, "higher than %.0f%% of past changes", Math.floor(rank * 100));
        } else {
            where = String.format(Locale.ROOT, "lower than %.0f%% of past changes", Math.ceil((1 - rank) * 100));
        }
        return m.words() + ": " + m.reads(value) + " (" + (assumed ? mark + "; " : "") + where + ")";
    }
}

package io.harbormaster.bot.cli;

import io.harbormaster.engine.canary.Direction;
import io.harbormaster.engine.canary.MannWhitneyJudge;
import io.harbormaster.engine.canary.MannWhitneyPolicy;
import io.harbormaster.engine.canary.MetricComparison;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster analyze compare}: one metric's Mann-Whitney classification, as Kayenta would give it. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Classify one metric of a canary against its baseline (Mann-Whitney, Kayenta-compatible).")
final class AnalyzeCompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--baseline", required = true, description = "Baseline values, comma-separated.")
    String baseline;

    @Option(names = "--canary", required = true, description = "Canary values, comma-separated.")
    String canary;

    @Option(
            names = "--direction",
            defaultValue = "increase",
            description = "increase|decrease|either (default increase).")
    String direction;

    @Option(
            names = "--tolerance",
            defaultValue = "0.25",
            description = "Fraction of the estimate the interval must clear (default 0.25).")
    double tolerance;

    @Option(
            names = "--confidence",
            defaultValue = "0.98",
            description = "Confidence level of the interval (default 0.98).")
    double confidence;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Direction dir;
        try {
            dir = Direction.parse(direction);
        } catch (IllegalArgumentException e) {
            throw new UserError("--direction: " + e.getMessage());
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new UserError("--confidence must be between 0 and 1 (for example 0.98), got " + confidence);
        }
        if (!(tolerance >= 0)) {
            throw new UserError("--tolerance must be 0 or more (for example 0.25), got " + tolerance);
        }
        double[] b = parse("--baseline", baseline);
        double[] c = parse("--canary", canary);
        MetricComparison r = MannWhitneyJudge.classify(
                "metric",
                b,
                c,
                dir,
                MannWhitneyPolicy.defaults().withTolerance(tolerance).withConfidence(confidence));
        var out = spec.commandLine().getOut();
        if (json) {
            var node = Json.MAPPER.createObjectNode();
            node.put("classification", r.classification().label());
            Json.put(node, "estimate", r.estimate());
            var ci = node.putArray("ci");
            Json.add(ci, r.ciLow());
            Json.add(ci, r.ciHigh());
            Json.put(node, "p_value", r.pValue());
            Json.put(node, "effect_size", r.effectSize());
            out.println(node.toString());
        } else {
            out.printf(Locale.ROOT, "classification: %s%n", r.classification().label());
            out.printf(Locale.ROOT, "estimate:       %.6g (canary - baseline, Hodges-Lehmann)%n", r.estimate());
            out.printf(Locale.ROOT, "%.0f%% interval:   [%.6g, %.6g]%n", 100 * confidence, r.ciLow(), r.ciHigh());
            out.printf(Locale.ROOT, "p-value:        %.4g%n", r.pValue());
            out.printf(Locale.ROOT, "effect size:    %.4g (ratio of means)%n", r.effectSize());
            out.printf(Locale.ROOT, "why:            %s%n", r.reason());
        }
        out.flush();
        return 0;
    }

    static double[] parse(String option, String text) {
        String[] parts = text.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            try {
                values[i] = p.isEmpty() || p.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new UserError(
                        option + ": '" + p + "' is not a number; give comma-separated numbers like 1,2.5,3");
            }
        }
        return values;
    }
}

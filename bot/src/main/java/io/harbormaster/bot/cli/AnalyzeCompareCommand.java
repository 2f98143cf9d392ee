package io.harbormaster.bot.cli;

import io.harbormaster.engine.canary.Direction;
import io.harbormaster.engine.canary.MannWhitneyJudge;
import io.harbormaster.engine.canary.MannWhitneyPolicy;
import io.harbormaster.engine.canary.MetricComparison;
import io.harbormaster.engine.text.Numbers;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster analyze compare}: one metric's Mann-Whitney classification, as Kayenta would give it. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Classify one metric of a canary against its baseline (Mann-Whitney, Kayenta-compatible): the"
                + " estimate, interval and p-value of R's wilcox.test(canary, baseline, conf.int = TRUE, exact ="
                + " FALSE), the normal approximation with the tie and continuity corrections.")
final class AnalyzeCompareCommand implements Callable<Integer> {
    /** A plain decimal number: no hexadecimal, no Java suffixes (1d, 2f), no infinities. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--baseline",
            required = true,
            description = "Baseline values, comma-separated; NaN marks an item without data (left out, and said so).")
    String baseline;

    @Option(
            names = "--canary",
            required = true,
            description = "Canary values, comma-separated; NaN marks an item without data.")
    String canary;

    @Option(
            names = "--direction",
            defaultValue = "increase",
            description = "increase|decrease|either (default increase).")
    String direction;

    /** A narrower interval is hardly a test; a wider one is past what the level's digits can say. */
    static final double MIN_CONFIDENCE = 0.5;

    static final double MAX_CONFIDENCE = 0.9999;

    @Option(
            names = "--tolerance",
            defaultValue = "0.25",
            description = "Fraction of the estimate the interval must clear, 0 to below 1 (default 0.25).")
    double tolerance;

    @Option(
            names = "--confidence",
            defaultValue = "0.98",
            description = "Confidence level of the interval, " + MIN_CONFIDENCE + " to " + MAX_CONFIDENCE
                    + " (default 0.98).")
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
        if (!(confidence >= MIN_CONFIDENCE && confidence <= MAX_CONFIDENCE)) {
            throw new UserError("--confidence must be between " + MIN_CONFIDENCE + " and " + MAX_CONFIDENCE
                    + " (for example 0.98), got " + Numbers.compact(confidence, 17));
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new UserError("--tolerance must be 0 or more and below 1 (for example 0.25): it is the fraction of"
                    + " the estimate the interval must clear, and the interval holds the estimate, so at 1 or more no"
                    + " metric could ever be High or Low; got " + Numbers.compact(tolerance, 17));
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
            // JSON has no Infinity: an effect size without a value is null, and says why
            r.effectSizeUndefined().ifPresent(why -> node.put("effect_size_reason", why));
            var leftOut = node.putObject("left_out");
            noData(b).forEach(leftOut.putArray("baseline")::add);
            noData(c).forEach(leftOut.putArray("canary")::add);
            out.println(node.toString());
        } else {
            out.printf(Locale.ROOT, "classification: %s%n", r.classification().label());
            if (Double.isNaN(r.estimate())) {
                // nothing to compare: the figures would all read NaN
                out.printf(Locale.ROOT, "estimate:       none (%s)%n", r.reason());
            } else {
                out.printf(Locale.ROOT, "estimate:       %.6g (canary - baseline, Hodges-Lehmann)%n", r.estimate());
                out.printf(
                        Locale.ROOT,
                        "%-16s[%.6g, %.6g]%n",
                        Numbers.compact(100 * confidence, 6) + "% interval:",
                        r.ciLow(),
                        r.ciHigh());
                out.printf(Locale.ROOT, "p-value:        %.4g%n", r.pValue());
            }
            if (r.effectSizeUndefined().isPresent()) {
                out.printf(
                        Locale.ROOT,
                        "effect size:    none (%s)%n",
                        r.effectSizeUndefined().get());
            } else {
                out.printf(Locale.ROOT, "effect size:    %.4g (ratio of means)%n", r.effectSize());
            }
            out.printf(Locale.ROOT, "why:            %s%n", r.reason());
            printNoData(out, "--baseline", b);
            printNoData(out, "--canary", c);
        }
        out.flush();
        return 0;
    }

    /**
     * Comma-separated plain decimal numbers. {@code NaN} is the one way to say "no data" for an item (the judge leaves
     * it out, as Kayenta does, and the output says which); anything else that is not a finite number, an empty item
     * included, is refused with its position rather than dropped.
     */
    static double[] parse(String option, String text) {
        String[] parts = text.split(",", -1); // -1: a trailing comma is an empty item, not nothing
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            String item = option + ": item " + (i + 1);
            if (p.isEmpty()) {
                throw new UserError(item + " is empty (in '" + text + "'); give comma-separated numbers like 1,2.5,3,"
                        + " and NaN for an item without data");
            }
            if (p.equalsIgnoreCase("nan")) {
                values[i] = Double.NaN;
                continue;
            }
            if (p.replaceFirst("^[+-]", "").equalsIgnoreCase("infinity")) {
                throw new UserError(item + " '" + p + "' is not a finite number; give measured values (NaN for an item"
                        + " without data)");
            }
            if (!DECIMAL.matcher(p).matches()) {
                throw new UserError(item + " '" + p + "' is not a number; give comma-separated numbers like 1,2.5,3");
            }
            double v = Double.parseDouble(p);
            if (!Double.isFinite(v)) {
                throw new UserError(item + " '" + p + "' is out of range (larger than " + Double.MAX_VALUE
                        + "); give the value in a unit that keeps it smaller");
            }
            values[i] = v;
        }
        return values;
    }

    private static void printNoData(PrintWriter out, String option, double[] values) {
        var positions = noData(values);
        if (!positions.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "no data:        %s item%s %s (NaN) left out%n",
                    option,
                    positions.size() == 1 ? "" : "s",
                    positions.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
    }

    /** The 1-based positions of the NaN (no data) items. */
    static List<Integer> noData(double[] values) {
        var positions = new ArrayList<Integer>();
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                positions.add(i + 1);
            }
        }
        return positions;
    }
}

package io.harbormaster.bot.config;

import io.harbormaster.engine.risk.RiskModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The risk model the bot scores with, from {@code risk:} in harbormaster.yml.
 *
 * @param model which model: the one shipped in the jar, a file {@code risk train} wrote, or the database's active one
 * @param targetEscalationRate the escalation rate the file states, when it states one: it must be the rate the
 *     model's threshold was set for, since a threshold is set on the model's training changes, which the model does
 *     not keep
 */
public record RiskSettings(Model model, OptionalDouble targetEscalationRate) {

    /** The value of {@code risk.model} that means the database's active model. */
    public static final String DATABASE = "database";

    /** Where the model comes from. */
    public sealed interface Model {}

    /** No {@code risk.model}: the model shipped in the jar (trained on ApacheJIT). */
    public record Shipped() implements Model {}

    /** {@code risk.model: PATH}: a model file, read (and checked) with the configuration. */
    public record ModelFile(Path path, RiskModel model) implements Model {}

    /** {@code risk.model: database}: the newest model {@code risk train --store} stored, read when the bot starts. */
    public record Stored() implements Model {}

    /** No {@code risk:} section: the shipped model at its own rate. */
    public static RiskSettings shipped() {
        return new RiskSettings(new Shipped(), OptionalDouble.empty());
    }

    /**
     * Why {@code model} (described as {@code which}) cannot be used with the stated target escalation rate, if it
     * cannot: the rate differs from the one its threshold was set for.
     */
    public Optional<String> rateProblem(RiskModel model, String which) {
        if (targetEscalationRate.isEmpty()) {
            return Optional.empty();
        }
        double wanted = targetEscalationRate.getAsDouble();
        double trained = model.threshold().targetRate();
        if (Math.abs(wanted - trained) < 1e-9) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "%s is not the rate %s's threshold was set for (%s): a threshold is set on the model's training"
                        + " changes, which the model does not keep, so it cannot be moved without them; retrain with"
                        + " `harbormaster risk train --target-rate %s` (--train F.csv or --from-history), or remove"
                        + " risk.target_escalation_rate to escalate the model's %s",
                number(wanted),
                which,
                percent(trained),
                number(wanted),
                percent(trained)));
    }

    /** A share as a percentage, as few digits as it needs: 11%, 12.5%. */
    public static String percent(double share) {
        return number(share * 100) + "%";
    }

    private static String number(double v) {
        var s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}

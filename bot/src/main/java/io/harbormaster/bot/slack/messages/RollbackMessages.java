package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.JudgedWindow;
import io.harbormaster.engine.rollout.RollbackCause;
import io.harbormaster.engine.text.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The notice broadcast to the channel when a canary is rolled back, automatically or at someone's request. */
public final class RollbackMessages {
    private RollbackMessages() {}

    /**
     * The one-line text (also the notification text): which metric tripped, both tracks' values in its units, the
     * effect with its interval (or, from a judge that has none, what it has instead), and the stretch of the canary
     * judged; for a rollback no metric tripped, who asked for it or why it happened instead (never figures it does not
     * have).
     */
    public static String text(RollbackNotice n) {
        return lead(n) + rest(n);
    }

    /** How {@link #text} starts: what was rolled back ("…Rolled back checkout 1.4.1 in production"). */
    private static String lead(RollbackNotice n) {
        var emoji = n.trigger().isEmpty() && n.requestedBy().isPresent() ? ":rewind:" : ":rotating_light:";
        return emoji + " Rolled back " + n.service() + " " + n.version() + " in " + n.environment();
    }

    /** The rest of {@link #text}: what tripped, who asked, or why, and the incident. */
    private static String rest(RollbackNotice n) {
        var text = new StringBuilder();
        if (n.trigger().isPresent()) {
            text.append(": ").append(tripped(n.trigger().get(), n.alongside(), n.judged()));
        } else if (n.requestedBy().isPresent()) {
            var asked = n.requestedBy().get();
            text.append(" at the request of ")
                    .append(DeployMessages.requester(asked.by()))
                    .append(" (")
                    .append(how(asked, n.service()))
                    .append("), not on a metric");
        } else {
            text.append(": ").append(escape(n.reason()));
        }
        n.incidentId().ifPresent(i -> text.append(", incident ").append(i));
        return text.toString();
    }

    /**
     * How a person asked for a rollback, as they did it: the command they typed, or the button they clicked (no
     * command was typed then).
     */
    public static String how(RollbackCause.Requested asked, String service) {
        return switch (asked.via()) {
            case COMMAND -> "`/deploy rollback " + service + "`";
            case PAUSE_BUTTON -> "the Roll back button of the paused canary";
        };
    }

    /** The broadcast: the text, the rule that fired, the incident and a link to the thread. */
    public static SlackMessage broadcast(RollbackNotice n) {
        var blocks = new ArrayList<LayoutBlock>();
        // only what was rolled back in bold: the rest carries text from outside (a reason, a metric's name), which
        // an _ or * of its own would end the span in, setting what follows askew
        blocks.add(BlockKit.section("*" + lead(n) + "*" + rest(n)));
        n.trigger().ifPresent(e -> blocks.add(BlockKit.section(DeployMessages.evidenceLine(e))));
        var context = new ArrayList<String>();
        context.add("deploy #" + n.deployId());
        n.incidentId().ifPresent(i -> context.add("incident " + escape(i)));
        context.add("automatic deploys of " + n.service() + " are blocked until "
                + io.harbormaster.engine.text.Times.end(n.blockedUntil()));
        n.threadLink().ifPresent(l -> context.add("<" + l + "|deploy thread>"));
        blocks.add(BlockKit.context(context));
        return new SlackMessage(text(n), blocks);
    }

    /**
     * What tripped, in the on-call's words: {@code error rate 15.2% on the canary vs 0.89% on the baseline, effect
     * +1610% (sequential test, e-value 2.31e+05; no interval), judged over the canary's first 3 min 20 s}. The values
     * are the deciding evidence's; a test statistic has none, and then they are the running figures of the same metric
     * over the same canary ({@code alongside}).
     */
    static String tripped(Evidence e, List<Evidence> alongside, Optional<JudgedWindow> judged) {
        var valued = hasValues(e)
                ? Optional.of(e)
                : alongside.stream()
                        .filter(a -> a != e && a.metric().equals(e.metric()) && hasValues(a))
                        .findFirst();
        var parts = new ArrayList<String>();
        var values = new StringBuilder(MetricUnits.name(e.metric()));
        if (valued.isPresent()) {
            var v = valued.get();
            values.append(' ').append(MetricUnits.value(e.metric(), v.canary())).append(" on the canary");
            if (Double.isFinite(v.baseline())) {
                values.append(" vs ")
                        .append(MetricUnits.value(e.metric(), v.baseline()))
                        .append(" on the baseline");
            }
        }
        parts.add(values.toString());
        var statistic = e.estimateKind() == Evidence.EstimateKind.Z || e.estimateKind() == Evidence.EstimateKind.T;
        if (Double.isFinite(e.estimate()) && !statistic) {
            parts.add("effect " + effect(e, e.estimate()) + " (" + intervalOrInstead(e) + ")");
        } else if (statistic) {
            // the closing test's statistic says how sure, not how large: the effect is the running figures' own
            var effect = valued.filter(v -> v != e && Double.isFinite(v.estimate()));
            if (effect.isPresent()) {
                parts.add(
                        "effect " + effect(effect.get(), effect.get().estimate()) + " (" + intervalOrInstead(e) + ")");
            } else {
                parts.set(0, parts.getFirst() + " (" + intervalOrInstead(e) + ")");
            }
        } else if (HARD_TRIGGER.equals(e.judge())) {
            parts.add("over its hard limit (" + escape(e.rule()) + "; no effect interval)");
        } else {
            // a ratio to a baseline of nothing (no baseline errors at all) is no size: said so, with what the judge has
            var none = valued.filter(v -> v.baseline() == 0).isPresent()
                    ? "no effect size, the baseline had none"
                    : "no effect size";
            parts.add(none + " (" + intervalOrInstead(e) + ")");
        }
        judged.ifPresent(w -> parts.add(window(w)));
        return String.join(", ", parts);
    }

    /** The judge whose evidence is a fixed limit's (HardTriggers), with no estimate of its own. */
    private static final String HARD_TRIGGER = "hard-trigger";

    private static boolean hasValues(Evidence e) {
        return Double.isFinite(e.canary());
    }

    /** An estimate as the effect it measures: a ratio as a change in percent, a shift in the metric's units. */
    private static String effect(Evidence e, double estimate) {
        return e.estimateIsRatio() ? Evidence.change(estimate) : MetricUnits.shift(e.metric(), estimate);
    }

    /**
     * The estimate's interval, {@code interval +10% to +40%}; a judge without one says what it has instead (an
     * e-value, a statistic and its p-value) and that it has no interval.
     */
    private static String intervalOrInstead(Evidence e) {
        if (Double.isFinite(e.ciLow()) && Double.isFinite(e.ciHigh())) {
            var interval = "interval " + effect(e, e.ciLow()) + " to " + effect(e, e.ciHigh());
            return Double.isFinite(e.pValue()) ? interval + ", p = " + Mrkdwn.stat(e.pValue()) : interval;
        }
        var has = new ArrayList<String>();
        has.add(judgeName(e.judge()));
        switch (e.estimateKind()) {
            case Z -> has.add("z = " + Mrkdwn.num(round(e.estimate())));
            case T -> has.add("t = " + Mrkdwn.num(round(e.estimate())));
            default -> {}
        }
        if (Double.isFinite(e.pValue())) {
            has.add("p = " + Mrkdwn.stat(e.pValue()));
        }
        if (Double.isFinite(e.eValue())) {
            has.add("e-value " + Mrkdwn.stat(e.eValue()));
        }
        return String.join(", ", has) + "; no interval";
    }

    /** A test statistic to two decimals, as the judges' reasons write it. */
    private static double round(double statistic) {
        return Math.round(statistic * 100) / 100.0;
    }

    private static String judgeName(String judge) {
        return switch (judge) {
            case "sequential" -> "sequential test";
            case "closing" -> "closing test";
            case "mann-whitney" -> "Mann-Whitney test";
            default -> escape(judge);
        };
    }

    /** The stretch of the canary judged: its first minutes, or a trailing window of it. */
    private static String window(JudgedWindow w) {
        var to = Durations.words(Duration.ofSeconds(w.toSeconds()));
        if (w.fromStart()) {
            return "judged over the canary's first " + to;
        }
        return "judged over the canary's last "
                + Durations.words(Duration.ofSeconds(w.toSeconds() - w.fromSeconds())) + " ("
                + Durations.words(Duration.ofSeconds(w.fromSeconds())) + " to " + to + " after it started)";
    }
}

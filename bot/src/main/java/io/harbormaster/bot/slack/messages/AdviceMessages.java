package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.advice.Advice;
import io.harbormaster.engine.advice.AdviceKind;
import java.util.ArrayList;

/**
 * The advisor's reply in a deploy's thread: the context package under an approval request, or the incident
 * hypothesis under a rollback notice. The summary cites the facts listed below it by id; the last line says who
 * wrote the summary, and says so plainly when a model failed and the template text is shown instead.
 */
public final class AdviceMessages {
    private AdviceMessages() {}

    public static SlackMessage advice(Advice a) {
        return advice(a, java.util.List.of());
    }

    /**
     * ... naming {@code people} (the Slack members who moved the deploy: a hypothesis after a person's rollback says who
     * stopped the canary, and to ask them) as mentions; nothing else in the advice becomes one.
     */
    public static SlackMessage advice(Advice a, java.util.Collection<String> people) {
        var title = a.kind() == AdviceKind.CONTEXT_PACKAGE
                ? ":bulb: *Context package* for " + escape(a.service() + " " + a.version())
                : ":mag: *Incident hypothesis*"
                        + (a.incidentId().isPresent()
                                ? " for incident #" + a.incidentId().getAsLong()
                                : "")
                        + " (" + escape(a.service() + " " + a.version()) + ")";
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section(title + "\n" + escape(a.summary(), people)));
        blocks.add(BlockKit.section("*Check first:* " + escape(a.suggestedCheck(), people)));
        if (!a.facts().isEmpty()) {
            blocks.add(BlockKit.section("*Facts*\n"
                    + String.join(
                            "\n",
                            a.facts().stream()
                                    .map(f -> "`" + f.id() + "` " + escape(f.text(), people))
                                    .toList())));
        }
        blocks.add(BlockKit.context(source(a)));
        var plain = (a.kind() == AdviceKind.CONTEXT_PACKAGE ? "Context package for " : "Incident hypothesis for ")
                + escape(a.service() + " " + a.version() + ": " + a.summary(), people);
        return new SlackMessage(plain, blocks);
    }

    /** Who wrote the summary, and why the template did when a model was configured. */
    static String source(Advice a) {
        var call = a.call();
        return switch (a.source()) {
            case MODEL ->
                "Summary written by "
                        + escape(call.map(c -> c.model() + " (" + c.provider() + ")")
                                .orElse("a model"))
                        + " from the facts above, in "
                        + call.map(c -> c.latency().toMillis()).orElse(0L)
                        + " ms. It advises; it decides nothing.";
            case TEMPLATE ->
                a.fallbackReason().isPresent()
                        ? ":warning: Template text: the model "
                                + escape(call.map(c -> c.model()).orElse(""))
                                + " gave no usable answer ("
                                + a.fallbackReason().get() + ")."
                        : "Built from templates and similar past cases (no language model configured).";
        };
    }
}

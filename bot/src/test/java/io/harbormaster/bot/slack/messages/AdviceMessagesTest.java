package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.advice.Advice;
import io.harbormaster.engine.advice.AdviceKind;
import io.harbormaster.engine.advice.Fact;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The advisor's replies: who wrote them is always said, model text cannot ping anyone, and long advice fits Slack. */
class AdviceMessagesTest {
    static final Advice.ModelCall CALL = new Advice.ModelCall(
            "openai",
            "gpt-test",
            "a".repeat(64),
            Optional.of("b".repeat(64)),
            Duration.ofMillis(812),
            Optional.empty());

    static Advice advice(Advice.Source source, Optional<String> fallback, String summary, List<Fact> facts) {
        return new Advice(
                AdviceKind.INCIDENT_HYPOTHESIS,
                7,
                "payments",
                "2.0.0",
                OptionalLong.of(13),
                summary,
                "the new query",
                facts,
                List.of(),
                source,
                fallback,
                source == Advice.Source.TEMPLATE && fallback.isEmpty() ? Optional.empty() : Optional.of(CALL));
    }

    @Test
    void aModelsSummaryIsMarkedAsTheModelsAndCannotMentionAnyone() {
        var m = AdviceMessages.advice(advice(
                Advice.Source.MODEL,
                Optional.empty(),
                "<!channel> errors rose [F1]",
                List.of(new Fact("F1", "metric", "error_rate tripped"))));
        var json = BlockKitLimits.json(m.blocks());
        assertThat(json).contains("Incident hypothesis* for incident #13 (payments 2.0.0)");
        assertThat(json).contains("&lt;!channel&gt;").doesNotContain("<!channel>");
        assertThat(json).contains("Summary written by gpt-test (openai)", "812 ms", "`F1` error_rate tripped");
    }

    @Test
    void theNotificationTextCannotMentionAnyoneEither() {
        // the plain text is what mobile notifications show, and Slack reads mentions in it
        var m = AdviceMessages.advice(advice(
                Advice.Source.MODEL,
                Optional.empty(),
                "<!channel> ping <@U0BOSS> via <https://evil.example|docs>",
                List.of()));

        assertThat(m.text()).contains("&lt;!channel&gt;").doesNotContain("<!channel>", "<@U0BOSS>", "<https://");
    }

    @Test
    void aFallbackSaysTheModelFailedAndWhy() {
        var m = AdviceMessages.advice(
                advice(Advice.Source.TEMPLATE, Optional.of("timeout"), "template [F1]", List.of()));
        assertThat(BlockKitLimits.json(m.blocks()))
                .contains(":warning: Template text: the model gpt-test gave no usable answer (timeout).");
        var none = AdviceMessages.advice(advice(Advice.Source.TEMPLATE, Optional.empty(), "template [F1]", List.of()));
        assertThat(BlockKitLimits.json(none.blocks())).contains("no language model configured");
    }

    @Test
    void longAdviceIsCutVisiblyWithinBlockKitsLimits() {
        var facts = IntStream.rangeClosed(1, 60)
                .mapToObj(i -> new Fact("F" + i, "change", "x".repeat(500)))
                .toList();
        var m = AdviceMessages.advice(advice(Advice.Source.MODEL, Optional.empty(), "y".repeat(6000), facts));
        assertThat(BlockKitLimits.violations(m.blocks())).isEmpty();
        assertThat(BlockKitLimits.json(m.blocks())).contains("truncated");
    }
}

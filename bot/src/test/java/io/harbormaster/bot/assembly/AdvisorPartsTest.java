package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.bot.config.AdvisorSettings;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.adapters.llm.AnthropicStandIn;
import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.engine.advice.SummaryWriter;
import io.harbormaster.engine.advice.SummaryWriter.Written;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The advisor's chat model as harbormaster.yml and the environment make it; an Anthropic key stays in its header. */
class AdvisorPartsTest {
    static final String KEY = "sk-ant-api03-bot0test0key0not0real0MnOpQrStUvWx";
    static final String MINIMAL = """
            groups: {ops: [U0OPS]}
            services:
              web: {namespace: shop, approvers: ops}
            """;
    static final Prompt PROMPT = new Prompt("You summarize deploys.", "{\"facts\":[{\"id\":\"F1\",\"text\":\"x\"}]}");

    static AdvisorSettings anthropic(String baseUrl) {
        return ConfigLoader.parse(
                        "harbormaster.yml",
                        MINIMAL + "advisor: {provider: anthropic, model: claude-3-5-haiku-latest, timeout: 2s"
                                + (baseUrl == null ? "" : ", base_url: '" + baseUrl + "'") + "}\n")
                .advisor();
    }

    @Test
    void anthropicWithoutAKeyIsRefusedNamingTheVariableToSet() {
        var settings = anthropic(null);
        for (var key : List.of(Optional.<String>empty(), Optional.of("  "))) {
            assertThat(AdvisorParts.keyProblem(settings, key))
                    .get()
                    .asString()
                    .contains("anthropic", "set HARBORMASTER_LLM_API_KEY");
            assertThatThrownBy(() -> AdvisorParts.writer(settings, key))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("HARBORMASTER_LLM_API_KEY");
        }
        assertThat(AdvisorParts.keyProblem(settings, Optional.of(KEY))).isEmpty();
        var writer = AdvisorParts.writer(settings, Optional.of(KEY));
        assertThat(writer.provider()).isEqualTo("anthropic");
        assertThat(writer.model()).isEqualTo("claude-3-5-haiku-latest");
        assertThat(writer.configured()).isTrue();
    }

    @Test
    void openAiAndNoneNeedNoKey() {
        var none = ConfigLoader.parse("harbormaster.yml", MINIMAL).advisor();
        assertThat(AdvisorParts.keyProblem(none, Optional.empty())).isEmpty();
        assertThat(AdvisorParts.writer(none, Optional.empty())).isSameAs(SummaryWriter.NONE);
        var ollama = ConfigLoader.parse(
                        "harbormaster.yml",
                        MINIMAL
                                + "advisor: {provider: openai, model: llama3.1:8b, base_url: 'http://ollama:11434/v1'}\n")
                .advisor();
        assertThat(AdvisorParts.keyProblem(ollama, Optional.empty())).isEmpty();
        assertThat(AdvisorParts.writer(ollama, Optional.empty()).provider()).isEqualTo("openai");
    }

    @Test
    void theConfiguredAnthropicWriterSendsTheKeyInItsHeaderAndLogsItNowhere() {
        var captured = new ByteArrayOutputStream();
        var err = System.err;
        var out = System.out;
        var tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        var results = new ArrayList<Written>();
        try (var standIn = AnthropicStandIn.start(KEY)) {
            System.setErr(tee);
            System.setOut(tee);
            try {
                var writer = AdvisorParts.writer(anthropic(standIn.baseUrl().toString()), Optional.of(KEY));
                standIn.mode(AnthropicStandIn.Mode.GOOD).content(r -> "Fine [F1].");
                results.add(writer.write(PROMPT));
                for (var mode : new AnthropicStandIn.Mode[] {
                    AnthropicStandIn.Mode.RATE_LIMITED, AnthropicStandIn.Mode.OVERLOADED, AnthropicStandIn.Mode.ECHO_KEY
                }) {
                    standIn.mode(mode);
                    results.add(writer.write(PROMPT));
                }
            } finally {
                System.setErr(err);
                System.setOut(out);
            }
            assertThat(standIn.received()).hasSize(4).allSatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v1/messages");
                assertThat(r.apiKey()).hasValue(KEY);
                assertThat(r.body()).doesNotContain(KEY);
            });
            assertThat(AnthropicStandIn.systemText(standIn.received().getFirst().json()))
                    .isEqualTo("You summarize deploys.");
        }
        assertThat(results.getFirst()).isInstanceOfSatisfying(Written.Answer.class, a -> assertThat(a.text())
                .isEqualTo("Fine [F1]."));
        assertThat(results.subList(1, 4))
                .extracting(w -> ((Written.Failure) w).reason())
                .containsExactly("rate_limited", "error", "error");
        assertThat(results).allSatisfy(w -> assertThat(w.toString()).doesNotContain(KEY, KEY.substring(7)));
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(KEY, KEY.substring(7));
    }
}

package io.harbormaster.engine.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.advice.Advice;
import io.harbormaster.engine.advice.Advisor;
import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.engine.advice.SimilarCases;
import io.harbormaster.engine.advice.SummaryWriter.Written;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * LangChain4j's real Anthropic client against the Messages API stand-in: the request is shaped as Anthropic's, every
 * way the API answers becomes an answer or a reason, and the key goes in its header and nowhere else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSummaryWriterTest {
    static final Prompt PROMPT = new Prompt("You are a test.", "{\"facts\":[{\"id\":\"F1\",\"text\":\"a fact\"}]}");
    static final String KEY = "sk-ant-api03-standin0key0not0real0AbCdEfGhIjKl";

    AnthropicStandIn standIn;
    AnthropicSummaryWriter writer;

    @BeforeAll
    void start() {
        standIn = AnthropicStandIn.start(KEY);
        writer = AnthropicSummaryWriter.create(standIn.baseUrl(), "claude-test", Duration.ofMillis(1500), 300, KEY);
    }

    @AfterAll
    void stop() {
        standIn.close();
    }

    @Test
    void aGoodAnswerComesBackAndTheRequestIsShapedAsAnthropics() {
        standIn.mode(AnthropicStandIn.Mode.GOOD).content(r -> "Looks fine [F1].");
        var written = writer.write(PROMPT);
        assertThat(written).isInstanceOfSatisfying(Written.Answer.class, a -> {
            assertThat(a.text()).isEqualTo("Looks fine [F1].");
            assertThat(a.model()).isEqualTo("claude-test");
        });
        var request = standIn.received().getLast();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(request.apiKey()).hasValue(KEY);
        assertThat(request.version()).hasValue(AnthropicStandIn.VERSION);
        assertThat(request.contentType()).get().asString().startsWith("application/json");
        var body = request.json();
        assertThat(body.path("model").asText()).isEqualTo("claude-test");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(AnthropicStandIn.systemText(body)).isEqualTo("You are a test.");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
        assertThat(AnthropicStandIn.text(body.path("messages").get(0))).isEqualTo(PROMPT.user());
        assertThat(request.body()).doesNotContain(KEY);
    }

    @Test
    void aBaseUrlWithATrailingSlashReachesTheSameMessagesPath() {
        var slash = URI.create(standIn.baseUrl() + "/");
        var other = AnthropicSummaryWriter.create(slash, "claude-test", Duration.ofMillis(1500), 300, KEY);
        standIn.mode(AnthropicStandIn.Mode.GOOD).content(r -> "Fine [F1].");
        assertThat(other.write(PROMPT)).isInstanceOf(Written.Answer.class);
        assertThat(standIn.received().getLast().path()).isEqualTo("/v1/messages");
    }

    @Test
    void aSlowAnswerIsATimeoutWithinTheConfiguredTime() {
        standIn.mode(AnthropicStandIn.Mode.SLOW).slowness(Duration.ofSeconds(6));
        long start = System.nanoTime();
        var written = writer.write(PROMPT);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(written).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("timeout"));
        assertThat(tookMs).isLessThan(5_000); // not a performance assertion: the 6 s answer was not waited for
    }

    @Test
    void aRateLimitIsRateLimitedAndNotRetried() {
        standIn.mode(AnthropicStandIn.Mode.RATE_LIMITED);
        int before = standIn.received().size();
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo("rate_limited");
            assertThat(f.detail()).contains("status 429");
        });
        assertThat(standIn.received()).hasSize(before + 1);
    }

    @Test
    void serverErrorsAndOverloadAreErrorsWithTheirStatusAndAreNotRetried() {
        standIn.mode(AnthropicStandIn.Mode.SERVER_ERROR);
        int before = standIn.received().size();
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo("error");
            assertThat(f.detail()).contains("status 500");
        });
        standIn.mode(AnthropicStandIn.Mode.OVERLOADED);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo("error");
            assertThat(f.detail()).contains("status 529");
        });
        assertThat(standIn.received()).hasSize(before + 2);
    }

    @Test
    void aBodyThatIsNotJsonIsMalformedAndAnAnswerWithoutTextIsEmpty() {
        standIn.mode(AnthropicStandIn.Mode.MALFORMED_JSON);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("malformed"));
        standIn.mode(AnthropicStandIn.Mode.EMPTY_CONTENT);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("empty"));
    }

    @Test
    void aRefusedKeyIsAnErrorThatNamesTheStatusButNotTheKey() {
        var wrongKey = "sk-ant-api03-wrong0key0for0the0standin0ZyXwVuTs";
        var wrong =
                AnthropicSummaryWriter.create(standIn.baseUrl(), "claude-test", Duration.ofMillis(1500), 300, wrongKey);
        standIn.mode(AnthropicStandIn.Mode.GOOD);
        assertThat(wrong.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo("error");
            assertThat(f.detail()).contains("status 401").doesNotContain(wrongKey, KEY);
        });
        assertThat(standIn.received().getLast().apiKey()).hasValue(wrongKey);
    }

    @Test
    void theKeyIsInTheHeaderOnlyNeverInARequestBodyAFailureOrTheAdvice() {
        var details = new ArrayList<String>();
        for (var mode : AnthropicStandIn.Mode.values()) {
            standIn.mode(mode).slowness(Duration.ofSeconds(3));
            if (writer.write(PROMPT) instanceof Written.Failure f) {
                details.add(f.reason() + ": " + f.detail());
            }
        }
        // ECHO_KEY: the error body carries the key, as a careless proxy's might; none of it reaches the detail
        assertThat(details).hasSize(AnthropicStandIn.Mode.values().length - 1);
        assertThat(details).allSatisfy(d -> assertThat(d).doesNotContain(KEY, KEY.substring(7)));
        assertThat(standIn.received()).allSatisfy(r -> assertThat(r.body()).doesNotContain(KEY));
        assertThat(writer.toString()).doesNotContain(KEY);

        var advisor = new Advisor(SimilarCases.NONE, writer, Duration.ofSeconds(5));
        standIn.mode(AnthropicStandIn.Mode.ECHO_KEY);
        var fallback = advisor.contextPackage(AdvisorTest.ESCALATED, Optional.of(AdvisorTest.BUILD));
        assertThat(fallback.source()).isEqualTo(Advice.Source.TEMPLATE);
        assertThat(fallback.fallbackReason()).hasValue("error");
        assertThat(fallback.toString()).doesNotContain(KEY, KEY.substring(7));

        standIn.mode(AnthropicStandIn.Mode.GOOD)
                .content(r -> "The change adds a table [F1] and needs a migration [F5].\nCheck first: the migration.");
        var advice = advisor.contextPackage(AdvisorTest.ESCALATED, Optional.of(AdvisorTest.BUILD));
        assertThat(advice.source()).isEqualTo(Advice.Source.MODEL);
        assertThat(advice.call().orElseThrow().provider()).isEqualTo("anthropic");
        assertThat(advice.toString()).doesNotContain(KEY, KEY.substring(7));
        var sent = standIn.received().getLast();
        assertThat(AnthropicStandIn.systemText(sent.json())).isNotBlank().doesNotContain(KEY);
        assertThat(sent.body()).contains("V7__orders.sql").doesNotContain(KEY, AdvisorTest.SLACK_TOKEN);
    }

    @Test
    void aBlankKeyIsRefusedBeforeAnyRequest() {
        int before = standIn.received().size();
        assertThatThrownBy(() -> AnthropicSummaryWriter.create(
                        standIn.baseUrl(), "claude-test", Duration.ofSeconds(1), 300, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("API key");
        assertThat(standIn.received()).hasSize(before);
    }
}

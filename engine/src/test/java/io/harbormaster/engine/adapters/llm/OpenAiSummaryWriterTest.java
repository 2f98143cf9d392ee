package io.harbormaster.engine.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.engine.advice.SummaryWriter.Written;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** LangChain4j's real OpenAI client against the stand-in: every way a provider answers becomes an answer or a reason. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSummaryWriterTest {
    static final Prompt PROMPT = new Prompt("You are a test.", "{\"facts\":[{\"id\":\"F1\",\"text\":\"a fact\"}]}");

    OpenAiStandIn standIn;
    OpenAiSummaryWriter writer;

    @BeforeAll
    void start() {
        standIn = OpenAiStandIn.start();
        writer = OpenAiSummaryWriter.create(
                standIn.baseUrl(), "test-model", Duration.ofMillis(1500), 300, Optional.of("sk-test-key-not-real"));
    }

    @AfterAll
    void stop() {
        standIn.close();
    }

    @Test
    void aGoodAnswerComesBackWithItsTextModelAndTheRequestIsShapedAsOpenAis() {
        standIn.mode(OpenAiStandIn.Mode.GOOD).content(r -> "Looks fine [F1].");
        var written = writer.write(PROMPT);
        assertThat(written).isInstanceOf(Written.Answer.class);
        var answer = (Written.Answer) written;
        assertThat(answer.text()).isEqualTo("Looks fine [F1].");
        assertThat(answer.model()).isEqualTo("test-model");
        var request = standIn.requests().getLast();
        assertThat(request.path("model").asText()).isEqualTo("test-model");
        assertThat(request.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(request.path("messages").get(0).path("content").asText()).isEqualTo("You are a test.");
        assertThat(request.path("messages").get(1).path("role").asText()).isEqualTo("user");
        assertThat(request.path("messages").get(1).path("content").asText()).contains("\"F1\"");
        assertThat(request.path("max_tokens").asInt()).isEqualTo(300);
    }

    @Test
    void aSlowAnswerIsATimeoutWithinTheConfiguredTime() {
        standIn.mode(OpenAiStandIn.Mode.SLOW).slowness(Duration.ofSeconds(6));
        long start = System.nanoTime();
        var written = writer.write(PROMPT);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(written).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("timeout"));
        assertThat(tookMs).isLessThan(5_000); // not a performance assertion: the 6 s answer was not waited for
    }

    @Test
    void aServerErrorIsAnError() {
        standIn.mode(OpenAiStandIn.Mode.SERVER_ERROR);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("error"));
    }

    @Test
    void aRateLimitIsRateLimitedAndNotRetried() {
        standIn.mode(OpenAiStandIn.Mode.RATE_LIMITED);
        int before = standIn.requests().size();
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("rate_limited"));
        assertThat(standIn.requests()).hasSize(before + 1);
    }

    @Test
    void aBodyThatIsNotJsonIsMalformed() {
        standIn.mode(OpenAiStandIn.Mode.MALFORMED_JSON);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("malformed"));
    }

    @Test
    void anAnswerWithoutContentIsEmpty() {
        standIn.mode(OpenAiStandIn.Mode.EMPTY_CONTENT);
        assertThat(writer.write(PROMPT)).isInstanceOfSatisfying(Written.Failure.class, f -> assertThat(f.reason())
                .isEqualTo("empty"));
    }
}

package io.harbormaster.engine.adapters.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.engine.advice.SummaryWriter;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A chat model behind the OpenAI chat completions API, through LangChain4j's client: OpenAI itself, and the servers
 * that speak the same API (Ollama's {@code /v1}, vLLM, LiteLLM). No retries: a failed or slow answer falls back to
 * the template text at once, which is better than an approver waiting.
 */
public final class OpenAiSummaryWriter implements SummaryWriter {
    /** Keyless servers (Ollama, vLLM) ignore the key, but the client wants one. */
    static final String NO_KEY = "no-key";

    private final ChatModel chat;
    private final String model;

    OpenAiSummaryWriter(ChatModel chat, String model) {
        this.chat = chat;
        this.model = model;
    }

    /**
     * @param baseUrl the API's base, ending in {@code /v1} (https://api.openai.com/v1, http://localhost:11434/v1)
     * @param apiKey the key from the environment; absent for keyless servers
     */
    public static OpenAiSummaryWriter create(
            URI baseUrl, String model, Duration timeout, int maxTokens, Optional<String> apiKey) {
        var chat = OpenAiChatModel.builder()
                .baseUrl(baseUrl.toString())
                .apiKey(apiKey.filter(k -> !k.isBlank()).orElse(NO_KEY))
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .maxTokens(maxTokens)
                .temperature(0.2)
                .build();
        return new OpenAiSummaryWriter(chat, model);
    }

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public Written write(Prompt prompt) {
        long start = System.nanoTime();
        try {
            var response = chat.chat(ChatRequest.builder()
                    .messages(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()))
                    .build());
            var latency = Duration.ofNanos(System.nanoTime() - start);
            var text =
                    response.aiMessage() == null ? null : response.aiMessage().text();
            if (text == null || text.isBlank()) {
                return new Written.Failure("empty", "the answer has no text", latency);
            }
            var answered = response.modelName() == null ? model : response.modelName();
            return new Written.Answer(text, answered, latency);
        } catch (RuntimeException e) {
            return new Written.Failure(reason(e), detail(e), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** A short fixed set of reasons (they are metric labels). */
    static String reason(Throwable e) {
        for (var t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RateLimitException || (t instanceof HttpException h && h.statusCode() == 429)) {
                return "rate_limited";
            }
            if (t instanceof dev.langchain4j.exception.TimeoutException
                    || t instanceof HttpTimeoutException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return "timeout";
            }
            if (t instanceof JsonProcessingException) {
                return "malformed";
            }
        }
        return "error";
    }

    /** What went wrong, without the message bodies (a provider's error text may echo the request). */
    static String detail(Throwable e) {
        var parts = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof HttpException h) {
            parts.append(" status ").append(h.statusCode());
        }
        var cause = e.getCause();
        if (cause != null && cause != e) {
            parts.append(" caused by ").append(cause.getClass().getSimpleName());
        }
        return parts.toString();
    }
}

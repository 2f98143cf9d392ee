package io.harbormaster.engine.adapters.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.engine.advice.SummaryWriter;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * What the chat model writers share: one call through LangChain4j's client (each writer builds its provider's),
 * no retries, and every way it can fail turned into one of a short fixed set of reasons, with a detail that names what
 * happened but never carries a message body (a provider's or a proxy's error text may echo the request, its headers
 * included).
 */
abstract class ChatModelWriter implements SummaryWriter {
    private final ChatModel chat;
    private final String model;

    ChatModelWriter(ChatModel chat, String model) {
        this.chat = chat;
        this.model = model;
    }

    @Override
    public final String model() {
        return model;
    }

    /** Asks the model once; never throws. */
    @Override
    public final Written write(Prompt prompt) {
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

    /**
     * What went wrong: the exception's class, its cause's class and the HTTP status if there was one, without any
     * message text.
     */
    static String detail(Throwable e) {
        var parts = new StringBuilder(e.getClass().getSimpleName());
        var cause = e.getCause();
        if (cause != null && cause != e) {
            parts.append(" caused by ").append(cause.getClass().getSimpleName());
        }
        for (var t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h) {
                parts.append(", status ").append(h.statusCode());
                break;
            }
        }
        return parts.toString();
    }
}

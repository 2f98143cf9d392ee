package io.harbormaster.engine.adapters.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import java.net.URI;
import java.time.Duration;

/**
 * Claude behind Anthropic's Messages API ({@code POST {base}/messages}), through LangChain4j's Anthropic client. The
 * same contract as {@link OpenAiSummaryWriter}: one call, no retries, a bounded wait; a failed or slow answer falls
 * back to the template text at once. The key goes in the {@code x-api-key} header and nowhere else: not in a prompt,
 * not in a failure's detail, not in the client's request log (off).
 */
public final class AnthropicSummaryWriter extends ChatModelWriter {
    /** Anthropic's API; LangChain4j's client appends {@code /messages} to whatever base it is given. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.anthropic.com/v1");

    AnthropicSummaryWriter(ChatModel chat, String model) {
        super(chat, model);
    }

    /**
     * @param baseUrl the API's base, ending in {@code /v1} ({@link #DEFAULT_BASE_URL}, or a proxy that speaks the same
     *     API)
     * @param model the model's name, such as {@code claude-3-5-haiku-latest}
     * @param apiKey the key from the environment: Anthropic's API refuses every request without one
     * @throws IllegalArgumentException when the key is blank
     */
    public static AnthropicSummaryWriter create(
            URI baseUrl, String model, Duration timeout, int maxTokens, String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("Anthropic's API needs an API key, and none was given");
        }
        var chat = AnthropicChatModel.builder()
                .baseUrl(baseUrl.toString())
                .apiKey(apiKey.strip())
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .maxTokens(maxTokens)
                .temperature(0.2)
                .logRequests(false)
                .logResponses(false)
                .build();
        return new AnthropicSummaryWriter(chat, model);
    }

    @Override
    public String provider() {
        return "anthropic";
    }
}

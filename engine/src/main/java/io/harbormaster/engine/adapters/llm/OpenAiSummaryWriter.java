package io.harbormaster.engine.adapters.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A chat model behind the OpenAI chat completions API, through LangChain4j's client: OpenAI itself, and the servers
 * that speak the same API (Ollama's {@code /v1}, vLLM, LiteLLM). No retries: a failed or slow answer falls back to
 * the template text at once, which is better than an approver waiting.
 */
public final class OpenAiSummaryWriter extends ChatModelWriter {
    /** Keyless servers (Ollama, vLLM) ignore the key, but the client wants one. */
    static final String NO_KEY = "no-key";

    OpenAiSummaryWriter(ChatModel chat, String model) {
        super(chat, model);
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
}

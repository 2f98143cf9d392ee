package io.harbormaster.bot.config;

import java.net.URI;
import java.time.Duration;

/**
 * The advisor's chat model, from {@code advisor:} in harbormaster.yml. Without one ({@code provider: none}) the
 * context packages and incident hypotheses come from templates and the similarity search; the API key is never in the
 * file, only in {@code HARBORMASTER_LLM_API_KEY}.
 *
 * @param provider none, openai (any server that speaks OpenAI's chat completions API: OpenAI, Ollama, vLLM), or
 *     anthropic (Anthropic's Messages API)
 * @param baseUrl the API's base URL, ending in /v1 ({@link #OPENAI} or {@link #ANTHROPIC} unless configured)
 * @param model the model's name at that provider
 * @param timeout how long an answer is waited for before the template text is used
 * @param maxTokens the longest answer asked for
 */
public record AdvisorSettings(Provider provider, URI baseUrl, String model, Duration timeout, int maxTokens) {
    public static final URI OPENAI = URI.create("https://api.openai.com/v1");
    public static final URI ANTHROPIC = URI.create("https://api.anthropic.com/v1");

    /** Where summaries come from. */
    public enum Provider {
        NONE,
        OPENAI,
        ANTHROPIC
    }

    /** Templates and similarity search only. */
    public static AdvisorSettings none() {
        return new AdvisorSettings(Provider.NONE, OPENAI, "", Duration.ofSeconds(20), 400);
    }
}

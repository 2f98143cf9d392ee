package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.AdvisorSettings;
import io.harbormaster.engine.adapters.llm.AnthropicSummaryWriter;
import io.harbormaster.engine.adapters.llm.OpenAiSummaryWriter;
import io.harbormaster.engine.advice.SummaryWriter;
import java.util.Optional;

/** The advisor's chat model as configured: none (templates only), an OpenAI-compatible API, or Anthropic's. */
public final class AdvisorParts {
    /** The environment variable that holds the chat model's API key (never the configuration file). */
    public static final String API_KEY_VARIABLE = "HARBORMASTER_LLM_API_KEY";

    private AdvisorParts() {}

    /**
     * Why {@code settings} cannot be used with {@code apiKey}, if it cannot: Anthropic's API refuses every request
     * without a key, so anthropic needs one; none and openai do not (keyless servers such as Ollama).
     */
    public static Optional<String> keyProblem(AdvisorSettings settings, Optional<String> apiKey) {
        if (settings.provider() == AdvisorSettings.Provider.ANTHROPIC
                && apiKey.filter(k -> !k.isBlank()).isEmpty()) {
            return Optional.of("advisor.provider is anthropic, whose API needs a key: set " + API_KEY_VARIABLE
                    + " to an Anthropic API key in the bot's environment (never in harbormaster.yml), or set"
                    + " advisor.provider: none");
        }
        return Optional.empty();
    }

    /**
     * The writer for {@code settings}; {@code apiKey} may be absent for keyless servers (Ollama, vLLM).
     *
     * @throws IllegalArgumentException when the provider needs a key and there is none ({@link #keyProblem})
     */
    public static SummaryWriter writer(AdvisorSettings settings, Optional<String> apiKey) {
        keyProblem(settings, apiKey).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return switch (settings.provider()) {
            case NONE -> SummaryWriter.NONE;
            case OPENAI ->
                OpenAiSummaryWriter.create(
                        settings.baseUrl(), settings.model(), settings.timeout(), settings.maxTokens(), apiKey);
            case ANTHROPIC ->
                AnthropicSummaryWriter.create(
                        settings.baseUrl(),
                        settings.model(),
                        settings.timeout(),
                        settings.maxTokens(),
                        apiKey.orElseThrow());
        };
    }
}

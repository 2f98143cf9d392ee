package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.AdvisorSettings;
import io.harbormaster.engine.adapters.llm.OpenAiSummaryWriter;
import io.harbormaster.engine.advice.SummaryWriter;
import java.util.Optional;

/** The advisor's chat model as configured: none (templates only) or an OpenAI-compatible API. */
public final class AdvisorParts {
    /** The environment variable that holds the chat model's API key (never the configuration file). */
    public static final String API_KEY_VARIABLE = "HARBORMASTER_LLM_API_KEY";

    private AdvisorParts() {}

    /** The writer for {@code settings}; {@code apiKey} may be absent for keyless servers (Ollama, vLLM). */
    public static SummaryWriter writer(AdvisorSettings settings, Optional<String> apiKey) {
        return switch (settings.provider()) {
            case NONE -> SummaryWriter.NONE;
            case OPENAI ->
                OpenAiSummaryWriter.create(
                        settings.baseUrl(), settings.model(), settings.timeout(), settings.maxTokens(), apiKey);
        };
    }
}

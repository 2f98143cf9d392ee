package io.harbormaster.engine.advice;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the advisor produced for one deploy: a summary that cites its facts by id, a suggested first check, the facts
 * themselves and the similar past cases, and where the summary came from.
 *
 * @param incidentId the incident, for a hypothesis
 * @param summary the text shown first: the model's, or the template's
 * @param suggestedCheck the one thing to check first
 * @param facts every fact the advice was built from, in id order
 * @param similar the similar past deploys (context package) or incidents (hypothesis), best first
 * @param source whether a model wrote the summary or the templates did
 * @param fallbackReason why a configured model's answer was not used (timeout, rate_limited, error, malformed, empty,
 *     uncited); empty when the model's answer was used or no model is configured
 * @param call what the model was asked and answered, when one was asked
 */
public record Advice(
        AdviceKind kind,
        long deployId,
        String service,
        String version,
        OptionalLong incidentId,
        String summary,
        String suggestedCheck,
        List<Fact> facts,
        List<SimilarCase> similar,
        Source source,
        Optional<String> fallbackReason,
        Optional<ModelCall> call) {

    public Advice {
        facts = List.copyOf(facts);
        similar = List.copyOf(similar);
    }

    /** Who wrote the summary. */
    public enum Source {
        MODEL,
        TEMPLATE;

        public String label() {
            return name().toLowerCase();
        }
    }

    /**
     * One question to a chat model, as the audit log records it: hashes, never the texts (the facts are recorded
     * beside it).
     *
     * @param answerSha256 the hash of the answer's text, when an answer came back (even one that was not used)
     * @param detail what went wrong, when something did
     */
    public record ModelCall(
            String provider,
            String model,
            String promptSha256,
            Optional<String> answerSha256,
            Duration latency,
            Optional<String> detail) {}

    /** The facts the summary cites, in the order of their ids. */
    public List<Fact> citedFacts() {
        return facts.stream().filter(f -> summary.contains("[" + f.id() + "]")).toList();
    }
}

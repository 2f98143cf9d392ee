package io.harbormaster.bot.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.json.JsonErrors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The noise history a pipeline decision started from ({@code analyze run --noise-history}), read from what the audit
 * log shows (the service's earlier canaries' noise, or its stable track's for a first canary), so a replay judges the
 * canary as the pipeline did. The file may hold any one of:
 *
 * <ul>
 *   <li>the {@code noise_history} object itself;
 *   <li>the decision's reasoning (an object with a {@code noise_history} field);
 *   <li>one entry of a JSON audit export (its {@code reasoning} field holds the reasoning as a string).
 * </ul>
 *
 * A reasoning without a {@code noise_history} is refused, with why: the canary had no history, so replay without one.
 */
final class NoiseHistoryFile {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The audit actions of a canary's decision, whose entries carry its policy and the history it started from. */
    static final Set<String> DECISIONS = Set.of("canary.promote", "canary.rollback");

    private NoiseHistoryFile() {}

    static ReplayedHistory read(Path file) {
        InputFiles.refuseDirectory(file, "--noise-history", "a JSON file with the noise_history of an audit entry");
        JsonNode root;
        try {
            try (JsonParser p = MAPPER.createParser(file.toFile())) {
                root = p.readValueAsTree();
                if (root != null && p.nextToken() != null) {
                    throw new UserError(file + ", line " + p.currentLocation().getLineNr()
                            + ": more JSON after the first value; give one object");
                }
            }
        } catch (JsonProcessingException e) {
            throw new UserError(JsonErrors.describe(file.toString(), e));
        } catch (IOException e) {
            throw new UserError(file + ": cannot read it: " + JsonErrors.describe(e)
                    + "; give a file with the noise_history of an audit entry (see analyze run --help)");
        }
        if (root == null) {
            throw new UserError(file + ": the file is empty; put the noise_history of an audit entry in it");
        }
        if (!root.isObject()) {
            throw new UserError(file + ": expected one JSON object (the noise_history of an audit entry, its"
                    + " reasoning, or the entry), got "
                    + root.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        JsonNode history = history(file, root);
        ReplayedHistory read;
        try {
            read = ReplayedHistory.fromAuditFields(MAPPER.convertValue(history, Map.class));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": " + e.getMessage(), e);
        }
        if (read.noise().equals(CanaryNoise.NONE)) {
            throw new UserError(file + ": the noise_history is empty (no p50, p99, spread or error_bursts); copy it"
                    + " whole from the audit entry, or replay without --noise-history");
        }
        return read;
    }

    /**
     * An export's one canary decision: a whole export is accepted when it holds exactly one (an export filtered to the
     * deploy's service and time); with several, the message lists them so the right one can be copied out.
     */
    private static JsonNode decisionOf(Path file, JsonNode export) {
        var decisions = new ArrayList<JsonNode>();
        for (JsonNode entry : export.path("entries")) {
            if (DECISIONS.contains(entry.path("action").asText())) {
                decisions.add(entry);
            }
        }
        if (decisions.size() == 1) {
            return decisions.getFirst();
        }
        if (decisions.isEmpty()) {
            throw new UserError(file + ": this audit export holds no canary decision (canary.promote or"
                    + " canary.rollback); export the deploy's service around the decision's time");
        }
        String listed = decisions.stream()
                .limit(5)
                .map(e -> "seq " + e.path("seq").asText() + " (deploy "
                        + e.path("deploy").asText() + ", " + e.path("action").asText() + ")")
                .collect(Collectors.joining(", "));
        throw new UserError(file + ": this audit export holds " + decisions.size() + " canary decisions (" + listed
                + (decisions.size() > 5 ? ", ..." : "") + "); copy the one to replay into a file of its own");
    }

    /** The noise_history object, wherever in the three shapes it is. */
    private static JsonNode history(Path file, JsonNode root) {
        if (root.has("entries") && root.has("format")) {
            root = decisionOf(file, root);
        }
        if (root.hasNonNull("action") && !DECISIONS.contains(root.get("action").asText())) {
            throw new UserError(file + ": this entry is a " + root.get("action").asText()
                    + ", not a canary decision; give the deploy's canary.promote or canary.rollback entry");
        }
        JsonNode reasoning = root;
        if (root.has("reasoning") && !root.has(CanaryNoise.AUDIT_KEY)) {
            JsonNode r = root.get("reasoning");
            if (r.isTextual()) {
                try {
                    r = MAPPER.readTree(r.asText());
                } catch (JsonProcessingException e) {
                    throw new UserError(file + ": the entry's reasoning is not JSON (" + JsonErrors.describeMessage(e)
                            + "); export the entry again");
                }
            }
            if (r == null || !r.isObject()) {
                throw new UserError(file + ": the entry's reasoning is not a JSON object; export the entry again");
            }
            reasoning = r;
        } else if (!root.has(CanaryNoise.AUDIT_KEY)) {
            return root; // the noise_history object itself (its keys are checked when it is read)
        }
        JsonNode history = reasoning.get(CanaryNoise.AUDIT_KEY);
        if (history == null) {
            throw new UserError(file + ": this decision has no noise_history: its canary started without one (its"
                    + " service's first, whose stable track gave no reading or was not read, or noise_history: 0 in"
                    + " its policy), so replay it without --noise-history");
        }
        if (!history.isObject()) {
            throw new UserError(file + ": noise_history must be an object, got " + history);
        }
        return history;
    }
}

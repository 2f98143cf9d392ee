package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.StartedPolicy;
import io.harbormaster.engine.rollout.TrafficSplit;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A pipeline canary as the bot's database keeps it ({@code analyze run --db --deploy}): the samples its analysis froze,
 * the canary policy it started with (none for a canary from before policies were stored), whether it was judged by the
 * escalated policy, and the noise history its decision started from, as the decision's audit entry says (the deploy's
 * recorded escalation when it has no decision yet).
 *
 * @param started the canary policy the canary started with, as stored, when one was
 * @param decision the audit action of the canary's decision (canary.promote or canary.rollback), if it has one
 * @param decidedAtS when the decision came, in seconds since the canary started, as its audit entry says
 * @param history the noise history the decision's entry shows ({@link ReplayedHistory#NONE} when it shows none)
 * @param steps each step as the cluster ran it, by step number, as the audit log records it (the first in the entry
 *     that started the canary, each later one in its {@code canary.step} entry): the canary's real share of the
 *     traffic, which by replica ratio is its share of the pods and may not be the step's weight. A canary started by a
 *     Harbormaster that did not record its first step has no step 1 here.
 */
record FrozenCanary(
        Deploy deploy,
        List<IntervalSample> samples,
        Optional<StartedPolicy> started,
        boolean escalated,
        Optional<String> decision,
        Optional<Long> decidedAtS,
        ReplayedHistory history,
        SortedMap<Integer, ReplicaPlan> steps) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads deploy {@code deployId}'s canary; refuses, saying why, a deploy that has nothing to replay. */
    static FrozenCanary read(Database db, long deployId) {
        var store = new JooqDeployStore(db);
        var deploy = store.find(deployId)
                .orElseThrow(() -> new UserError("there is no deploy " + deployId + " in this database: give the id"
                        + " the bot shows (/deploy status, or the deploy field of audit export)"));
        String which = describe(deploy);
        boolean reachedCanary = store.transitions(deployId).stream().anyMatch(t -> t.to() == DeployState.CANARY);
        if (!reachedCanary) {
            throw new UserError(which + " never reached its canary (it is " + state(deploy)
                    + "), so no metrics were judged for it and there is nothing to replay");
        }
        var samples = store.frozenSamples(deployId);
        if (samples.isEmpty()) {
            throw new UserError(which + " has no frozen canary samples: "
                    + (deploy.state().terminal()
                            ? "its canary ended (" + state(deploy) + ") before any interval was judged on metrics,"
                                    + " or it ran on a Harbormaster from before samples were frozen (replay it from"
                                    + " Prometheus with --prometheus, --from and --to instead)"
                            : "its canary is still in its first intervals (an interval is frozen once it ended one"
                                    + " interval before an evaluation); try again later"));
        }
        var started = store.canaryPolicy(deployId);
        var steps = new TreeMap<Integer, ReplicaPlan>();
        JsonNode reasoning = decisionReasoning(db, deployId, steps);
        Optional<String> decision = Optional.empty();
        Optional<Long> at = Optional.empty();
        boolean escalated = deploy.escalated().orElse(true); // as the pipeline judges it: unscored counts as escalated
        ReplayedHistory history = ReplayedHistory.NONE;
        if (reasoning != null) {
            decision = Optional.of(reasoning.path("action").asText());
            var r = reasoning.path("reasoning");
            if (r.hasNonNull("at_s")) {
                at = Optional.of(r.get("at_s").asLong());
            }
            if (r.hasNonNull("canary_policy")) {
                escalated = "escalated".equals(r.get("canary_policy").asText());
            }
            if (r.has(CanaryNoise.AUDIT_KEY)) {
                try {
                    history =
                            ReplayedHistory.fromAuditFields(JSON.convertValue(r.get(CanaryNoise.AUDIT_KEY), Map.class));
                } catch (IllegalArgumentException e) {
                    throw new UserError(which + ": the " + decision.get() + " audit entry's " + e.getMessage(), e);
                }
            }
        }
        if (started.isPresent()) { // what it was judged by, whatever its decision's entry says
            escalated = started.get().escalated();
        }
        return new FrozenCanary(deploy, samples, started, escalated, decision, at, history, steps);
    }

    /** The step the canary ran at {@code weight} (the replay's timeline names steps by weight), if it was recorded. */
    Optional<ReplicaPlan> ranAt(int weight) {
        return steps.values().stream().filter(p -> p.weightPercent() == weight).reduce((a, b) -> b);
    }

    /** The pipeline's decision as the report words it, beside the replay's verdict: promote or rollback. */
    Optional<String> decisionWords() {
        return decision.map(a -> switch (a) {
            case "canary.promote" -> "promote";
            case "canary.rollback" -> "rollback";
            default -> a;
        });
    }

    /** The policy its canary started with, as stored, if one was; refuses one that cannot be read. */
    Optional<CanaryPolicy> startedPolicy() {
        try {
            return started.map(StartedPolicy::policy);
        } catch (IllegalArgumentException e) {
            throw new UserError(describe(deploy) + ": " + e.getMessage(), e);
        }
    }

    /** The policy the pipeline judged this canary by: its service's in {@code config}, escalated or not. */
    CanaryPolicy policy(Path config) {
        io.harbormaster.bot.config.HarbormasterConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new UserError(config + ": " + String.join("; ", e.problems())
                    + " (give the bot's configuration with --config FILE, or a canary policy with --policy FILE)");
        }
        var spec = loaded.catalog()
                .service(deploy.service())
                .orElseThrow(() -> new UserError("service " + deploy.service() + " of " + describe(deploy)
                        + " is not in " + config + ": give the configuration it ran with (--config FILE), or its"
                        + " canary policy (--policy FILE)"));
        return spec.canaryFor(escalated);
    }

    /** Refuses a policy whose interval is not the one the samples were frozen at. */
    void agree(CanaryPolicy policy, String policySource) {
        long step = samples.size() > 1 ? samples.get(1).t() - samples.get(0).t() : policy.intervalSeconds();
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).t() != i * step) {
                throw new UserError(describe(deploy) + ": its frozen samples are not one per interval from the canary's"
                        + " start (t = " + samples.get(i).t() + " at place " + i + "); they cannot be replayed");
            }
        }
        if (step != policy.intervalSeconds()) {
            throw new UserError(describe(deploy) + "'s samples were frozen at " + step + " s intervals, but "
                    + policySource + " has interval_seconds: " + policy.intervalSeconds()
                    + "; give the policy it ran with (--policy FILE with interval_seconds: " + step + ")");
        }
    }

    /** Which deploy, for the messages and the report. */
    static String describe(Deploy d) {
        return "deploy " + d.id() + " (" + d.service() + " " + d.version() + ")";
    }

    /** The deploy's state as people read it ("rolled back"), as the bot's messages say it. */
    private static String state(Deploy d) {
        return d.state().words();
    }

    /**
     * The latest decision entry of the deploy: {"action": ..., "reasoning": {...}}, or null; and into {@code steps},
     * each step of its canary as the log records it.
     */
    private static JsonNode decisionReasoning(Database db, long deployId, Map<Integer, ReplicaPlan> steps) {
        var found = new JsonNode[1];
        var log = JooqAuditLog.reader(db, Optional.empty());
        log.scan(AuditQuery.all().withDeploy(Long.toString(deployId)), e -> {
            var action = e.record().action();
            boolean decision = NoiseHistoryFile.DECISIONS.contains(action);
            if (!decision && !action.equals("preflight") && !action.equals("canary.step")) {
                return;
            }
            JsonNode reasoning;
            try {
                reasoning = JSON.readTree(e.record().reasoningJson());
            } catch (java.io.IOException ex) {
                throw new UserError("deploy " + deployId + ": its " + action + " audit entry's reasoning is not JSON: "
                        + ex.getMessage());
            }
            if (decision) {
                var node = JSON.createObjectNode();
                node.put("action", action);
                node.set("reasoning", reasoning);
                found[0] = node;
            } else {
                var step = action.equals("preflight") ? reasoning.path(DeployPipeline.CANARY_START) : reasoning;
                plan(step).ifPresent(p -> steps.put(step.path("step").asInt(), p));
            }
        });
        return found[0];
    }

    /**
     * A step as an audit entry records it ({@code weight}, {@code step}, {@code pods}, {@code traffic}), if it
     * records one; an entry that does not read as one (none of ours) is left out, and its step said to be unknown.
     */
    private static Optional<ReplicaPlan> plan(JsonNode step) {
        var pods = step.path("pods");
        if (!step.path("step").canConvertToInt()
                || !step.path("weight").canConvertToInt()
                || !pods.path("canary").canConvertToInt()
                || !pods.path("baseline").canConvertToInt()
                || !pods.path("stable").canConvertToInt()) {
            return Optional.empty();
        }
        try {
            var split = TrafficSplit.valueOf(step.path("traffic").asText().toUpperCase(Locale.ROOT));
            return Optional.of(new ReplicaPlan(
                    step.get("weight").asInt(),
                    pods.get("canary").asInt(),
                    pods.get("baseline").asInt(),
                    pods.get("stable").asInt(),
                    split));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

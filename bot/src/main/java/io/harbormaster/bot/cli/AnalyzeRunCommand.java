package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harbormaster.engine.canary.AnalysisReport;
import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryPolicyJson;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.NoiseSource;
import io.harbormaster.engine.canary.TimelineEntry;
import io.harbormaster.engine.json.JsonErrors;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.StartedPolicy;
import io.harbormaster.engine.rollout.TrafficSplit;
import io.harbormaster.engine.text.Times;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harbormaster analyze run}: replays a recorded canary (a JSON file, Prometheus, or a pipeline deploy's frozen
 * samples in the bot's database) through all three judges.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Replay a recorded canary through the hard triggers, the sequential judge and Mann-Whitney.",
        footer = {
            "",
            "The recording (--input) is one JSON object:",
            "  {\"interval_seconds\": 10,",
            "   \"steps\": [{\"weight\": 5, \"intervals\": 18}, ...],     (optional)",
            "   \"series\": [",
            "     {\"t\": 0,",
            "      \"baseline\": {\"requests\": 100, \"errors\": 1, \"p50_ms\": 41.0,",
            "                   \"p99_ms\": 180.0, \"restarts\": 0},",
            "      \"canary\": {...}},",
            "     ...]}",
            "One entry per interval, t its start in seconds since the canary started (0, 10, 20, ...). Counts are per"
                    + " interval: whole numbers, errors at most requests; latencies in ms, 0 or more. null (for a"
                    + " value or a whole track) means no data; every key must be there, and no other. Steps: weight"
                    + " 1..100 (percent), intervals a whole number. A problem is refused with its line, column and"
                    + " place (series[3].baseline.errors)."
        })
final class AnalyzeRunCommand implements Callable<Integer> {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Spec
    CommandSpec spec;

    @Option(
            names = "--input",
            description = "Recorded canary JSON: interval_seconds, optional steps, series (the format is below).")
    Path input;

    @Option(names = "--policy", description = "Canary policy YAML (defaults for anything it leaves out).")
    Path policyFile;

    @Option(names = "--prometheus", description = "Prometheus base URL, instead of --input.")
    String prometheus;

    @Option(names = "--service", description = "Service whose canary to read from Prometheus.")
    String service;

    @Option(names = "--namespace", defaultValue = "default", description = "Kubernetes namespace (default: default).")
    String namespace;

    @Option(
            names = "--from",
            paramLabel = "TIME",
            description = "Canary start: 2024-06-11T10:00:00Z, 2024-06-11 (midnight UTC), unix seconds, now, or a time"
                    + " back from now (-30m, 30m ago, now-2h; units s, m, h, d).")
    String from;

    @Option(
            names = "--to",
            paramLabel = "TIME",
            description = "End of the replay, after --from; the same forms (now, -5m, ...).")
    String to;

    /** Anchors now and the relative times of --from and --to; tests fix it. */
    Clock clock = Clock.systemUTC();

    @Option(
            names = "--noise-history",
            paramLabel = "FILE",
            description = "Judge as the pipeline did a canary that started from a noise history (its service's earlier"
                    + " canaries', or for a first canary its stable track's): a JSON file with the noise_history of"
                    + " the decision's audit entry (the object, the entry's reasoning, or the exported entry). Without"
                    + " it the canary is judged as one that knew nothing of its service's noise.")
    Path noiseHistoryFile;

    @Option(
            names = "--escalated",
            description = "Judge as the pipeline judges a change its risk score escalated (the decision's audit entry"
                    + " says canary_policy: escalated): the policy's cautious form, as when defaults.escalated_canary"
                    + " is not set.")
    boolean escalated;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(
            names = "--deploy",
            paramLabel = "ID",
            description = "Replay a pipeline deploy's canary from the samples it froze in the bot's database (--db):"
                    + " by the canary policy it started with, as the database keeps it (--config or --policy instead,"
                    + " which the report compares with it; the service's policy in the configuration for a canary"
                    + " from before policies were kept), with the noise history as its decision's audit entry says,"
                    + " instead of --input or --prometheus.")
    Long deploy;

    @Mixin
    DatabaseOption database;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "With --deploy: judge by the service's canary policy in this configuration instead of the"
                    + " one the canary started with; the configuration read for a canary from before canary policies"
                    + " were kept (default: $HARBORMASTER_CONFIG, else ./harbormaster.yml).")
    Path configFile;

    /** With --deploy: the canary read from the database. */
    private FrozenCanary frozen;

    /** The source of a replay's policy that is the one its canary started with, as the database keeps it. */
    private static final String STORED = "stored";

    /** With --deploy: the policy the replay judges by, and the one the canary started with. */
    private ReplayedPolicy replayedPolicy;

    /**
     * The policy a replay of a pipeline canary judges by: {@code source} is {@code stored} (the one the canary started
     * with) or the file it came from; {@code stored} the hash of the one the canary started with, when one was stored.
     */
    private record ReplayedPolicy(String source, String hash, Optional<String> stored) {
        /** What the report says of it. */
        String words() {
            if (source.equals(STORED)) {
                return "the one its canary started with (" + hash + "), stored in the database";
            }
            if (stored.isEmpty()) {
                return source + " (" + hash + "): no policy was stored for this canary (it started on a Harbormaster"
                        + " from before canary policies were stored), so this is the configuration of today, which may"
                        + " not be the one it ran with";
            }
            if (stored.get().equals(hash)) {
                return source + " (" + hash + "), the one its canary started with";
            }
            return source + " (" + hash + "), which differs from the one its canary started with (" + stored.get()
                    + ", stored in the database): the replay follows " + source;
        }
    }

    @Override
    public Integer call() {
        if (deploy != null) {
            return replayDeploy();
        }
        if (database.url != null || configFile != null) {
            throw new UserError("--db and --config are for replaying a pipeline deploy: give --deploy ID with them");
        }
        CanaryPolicy policy = CanaryPolicyFile.read(policyFile);
        ReplayedHistory history =
                noiseHistoryFile == null ? ReplayedHistory.NONE : NoiseHistoryFile.read(noiseHistoryFile);
        if (noiseHistoryFile != null && policy.sequential().noiseHistory() == 0) {
            throw new UserError("--noise-history is given, but " + policyFile + " sets sequential.noise_history: 0"
                    + " (no history); drop one of the two");
        }
        List<IntervalSample> series;
        if (input != null && prometheus != null) {
            throw new UserError("give either --input FILE or --prometheus URL, not both");
        } else if (input != null) {
            RecordedCanary recorded = RecordedCanary.read(input);
            agree(policy, recorded);
            try {
                policy = policy.withIntervalSeconds(recorded.intervalSeconds());
            } catch (IllegalArgumentException e) {
                throw new UserError(input + ": interval_seconds: " + e.getMessage(), e);
            }
            if (recorded.steps().isPresent()) {
                try {
                    policy = policy.withSteps(recorded.steps().get());
                } catch (IllegalArgumentException e) { // a schedule the analysis cannot run, such as too short a step
                    throw new UserError(input + ": steps: " + e.getMessage(), e);
                }
            }
            series = recorded.series();
        } else if (prometheus != null) {
            series = fromPrometheus(policy);
        } else {
            throw new UserError("nothing to analyze: give --input run.json, or --prometheus URL --service S"
                    + " --from T1 --to T2");
        }
        if (escalated) { // over the recording's schedule, as the pipeline makes the service's own policy cautious
            policy = policy.cautious();
        }
        // what the judge starts from: the policy caps the latency part (the counts shown are these)
        var used =
                new ReplayedHistory(history.noise().capped(policy.sequential().noiseHistory()), history.stableTrack());
        print(
                CanaryAnalysis.replay(series, policy, used.noise(), used.source()),
                used,
                policy.intervalSeconds(),
                series.size());
        return 0;
    }

    /**
     * The recording's interval and steps are facts about the traffic it holds, so they replace the policy's; a policy
     * file that sets either to something else is refused rather than silently overruled.
     */
    private void agree(CanaryPolicy policy, RecordedCanary recorded) {
        if (policyFile == null) {
            return;
        }
        JsonNode keys;
        try {
            keys = YAML.readTree(policyFile.toFile());
        } catch (IOException e) { // CanaryPolicyYaml.read has read it already
            throw new UserError(policyFile + ": cannot read it again: " + JsonErrors.describe(e), e);
        }
        if (keys == null || !keys.isObject()) {
            return;
        }
        if (keys.has("interval_seconds") && policy.intervalSeconds() != recorded.intervalSeconds()) {
            throw new UserError(policyFile + " sets interval_seconds: " + policy.intervalSeconds() + ", but " + input
                    + " was recorded at " + recorded.intervalSeconds() + " s intervals; the recording decides: remove"
                    + " interval_seconds from the policy, or make the two agree");
        }
        if (keys.has("steps")
                && recorded.steps().isPresent()
                && !policy.steps().equals(recorded.steps().get())) {
            throw new UserError(policyFile + " sets steps " + steps(policy.steps()) + ", but " + input
                    + " records the steps the canary ran, "
                    + steps(recorded.steps().get()) + "; a replay follows the"
                    + " recorded traffic: remove steps from one of the two, or make them agree");
        }
    }

    private static String steps(List<CanaryStep> steps) {
        return steps.stream().map(s -> s.weight() + "% x " + s.intervals()).collect(Collectors.joining(", "));
    }

    private List<IntervalSample> fromPrometheus(CanaryPolicy policy) {
        if (service == null || from == null || to == null) {
            throw new UserError("--prometheus needs --service, --from and --to");
        }
        var now = clock.instant();
        Instant start = TimeArgument.parse("--from", from, now);
        Instant end = TimeArgument.parse("--to", to, now);
        if (!start.isBefore(end)) {
            var said = Times.apart(start, end); // to the minute, or to the second when both fall in one minute
            throw new UserError("--from must be before --to: --from " + from + " is " + said.get(0) + ", --to " + to
                    + " is " + said.get(1));
        }
        MetricsQuery query;
        try {
            query = new MetricsQuery(service, namespace, start, end, Duration.ofSeconds(policy.intervalSeconds()));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        try (var source = MetricsSources.prometheus(prometheus)) {
            return source.samples(query);
        } catch (MetricsUnavailable e) {
            throw new UserError(e.getMessage(), e);
        } catch (IllegalArgumentException e) { // a range too long to read, refused before any query
            throw new UserError(e.getMessage() + ": give --from and --to around the one canary to replay", e);
        }
    }

    /** What the replay started from, as the audit entry of a pipeline decision says it. */
    private String historyLine(ReplayedHistory replayed, AnalysisReport report) {
        var parts = new ArrayList<String>();
        var history = replayed.noise();
        if (history.known()) {
            parts.add(String.format(
                    Locale.ROOT,
                    "latency noise of %s (p50 %d values, p99 %d), %s",
                    replayed.latencyFrom(),
                    history.p50().values(),
                    history.p99().values(),
                    report.latencyHistoryKept() ? "kept to the end" : "dropped by its checks"));
        }
        if (history.bursts().known()) {
            parts.add(replayed.stableTrack().isPresent() ? "its error bursts" : "their error bursts");
        }
        return String.join("; ", parts) + " (from " + historySource() + ")";
    }

    /**
     * The verdict and the timeline. The verdict's time is the end of the interval it was decided in; each timeline row
     * shows its interval's start (the input's {@code t}) and end, so the last row ends when the verdict came. The
     * replay stops at the verdict; how many recorded intervals it did not need is said, not left to guess.
     */
    private void print(AnalysisReport report, ReplayedHistory startedFrom, long intervalSeconds, int recorded) {
        var history = startedFrom.noise();
        int replayed = report.timeline().size();
        var out = spec.commandLine().getOut();
        List<Evidence> evidence = report.verdict().evidence();
        Evidence first = evidence.isEmpty()
                ? Evidence.of("analysis", "all", "none", Double.NaN, Double.NaN, "")
                : evidence.getFirst();
        if (json) {
            var node = Json.MAPPER.createObjectNode();
            node.put("verdict", report.decision());
            node.put("decided_at_s", report.verdict().at());
            node.put("judge", first.judge());
            node.put("metric", first.metric());
            node.put("reason", first.rule() + ": " + first.reason());
            node.put("intervals_recorded", recorded);
            node.put("intervals_replayed", replayed);
            if (frozen != null) {
                var d = node.putObject("deploy");
                d.put("id", frozen.deploy().id());
                d.put("service", frozen.deploy().service());
                d.put("version", frozen.deploy().version());
                d.put("state", frozen.deploy().state().name().toLowerCase(Locale.ROOT));
                d.put("intervals_frozen", frozen.samples().size());
                d.put("canary_policy", frozen.escalated() ? "escalated" : "standard");
                var p = d.putObject("policy");
                p.put("source", replayedPolicy.source());
                p.put("hash", replayedPolicy.hash());
                replayedPolicy.stored().ifPresent(h -> p.put("stored_hash", h));
                p.put("note", replayedPolicy.words());
                frozen.decision().ifPresent(a -> d.put("decision", a));
                frozen.decidedAtS().ifPresent(a -> d.put("decided_at_s", a));
                var steps = d.putArray("steps");
                frozen.steps().forEach((n, plan) -> {
                    var step = steps.addObject();
                    step.put("step", n);
                    step.put("weight", plan.weightPercent());
                    step.put("traffic_share_percent", plan.sharePercent());
                    var pods = step.putObject("pods");
                    pods.put("canary", plan.canary());
                    pods.put("baseline", plan.baseline());
                    pods.put("stable", plan.stable());
                    step.put("traffic", plan.split().configName());
                });
            }
            if (noiseHistoryFile != null || (frozen != null && !history.equals(CanaryNoise.NONE))) {
                var h = node.putObject("noise_history");
                h.put(noiseHistoryFile != null ? "file" : "audit_entry", historySource());
                h.put("source", startedFrom.source() == NoiseSource.STABLE_TRACK ? "stable_track" : "earlier_canaries");
                startedFrom.stableTrack().ifPresent(w -> {
                    var window = h.putObject(CanaryNoise.AUDIT_STABLE_TRACK);
                    window.put("from", w.from().toString());
                    window.put("to", w.to().toString());
                    window.put("intervals", w.intervals());
                });
                h.put("latency", history.known());
                h.put("error_bursts", history.bursts().known());
                if (history.known()) {
                    h.put("latency_history_kept", report.latencyHistoryKept());
                }
            }
            var timeline = node.putArray("timeline");
            for (TimelineEntry e : report.timeline()) {
                var t = timeline.addObject();
                t.put("t", e.t());
                t.put("end_s", e.t() + intervalSeconds);
                t.put("weight", e.weight());
                if (frozen != null) { // what the canary really had: by replica ratio, its share of the pods
                    frozen.ranAt(e.weight()).ifPresent(p -> t.put("traffic_share_percent", p.sharePercent()));
                }
                t.put("decision", e.decision());
                var ev = t.putObject("e_values");
                Json.put(ev, "error_rate", e.errorEValue());
                Json.put(ev, "p50_ms", e.p50EValue());
                Json.put(ev, "p99_ms", e.p99EValue());
                if (!e.note().isEmpty()) {
                    t.put("note", e.note());
                }
            }
            out.println(node.toString());
        } else {
            if (frozen != null) {
                out.printf(
                        Locale.ROOT,
                        "deploy:   %s, %s; %d intervals frozen; %s canary policy%s%n",
                        FrozenCanary.describe(frozen.deploy()),
                        frozen.deploy().state().words(),
                        frozen.samples().size(),
                        frozen.escalated() ? "escalated" : "standard",
                        frozen.decisionWords()
                                .map(a -> "; the pipeline's decision: " + a
                                        + frozen.decidedAtS()
                                                .map(t -> " at " + t + " s")
                                                .orElse(""))
                                .orElse("; no decision yet"));
                out.printf(Locale.ROOT, "policy:   %s%n", replayedPolicy.words());
                out.printf(Locale.ROOT, "traffic:  %s%n", trafficLine(report));
            }
            out.printf(
                    Locale.ROOT,
                    "verdict:  %s at %d s%n",
                    report.decision(),
                    report.verdict().at());
            out.printf(Locale.ROOT, "judge:    %s, metric %s%n", first.judge(), first.metric());
            out.printf(Locale.ROOT, "reason:   %s: %s%n", first.rule(), first.reason());
            out.printf(
                    Locale.ROOT,
                    "replayed: %d of %d recorded interval%s%s%n",
                    replayed,
                    recorded,
                    recorded == 1 ? "" : "s",
                    switch (recorded - replayed) {
                        case 0 -> "";
                        case 1 -> "; the last one comes after the verdict";
                        default -> "; the other " + (recorded - replayed) + " come after the verdict";
                    });
            if (noiseHistoryFile != null || (frozen != null && !history.equals(CanaryNoise.NONE))) {
                out.printf(Locale.ROOT, "history:  %s%n", historyLine(startedFrom, report));
            }
            out.println("evidence:");
            for (Evidence e : evidence.subList(Math.min(1, evidence.size()), evidence.size())) {
                out.printf(Locale.ROOT, "  %-12s %-10s %s%n", e.judge(), e.metric(), e.reason());
            }
            out.println(
                    frozen == null
                            ? "timeline: interval start-end (s since the canary started), weight, decision, running"
                                    + " e-values"
                            : "timeline: interval start-end (s since the canary started), the canary's share of"
                                    + " traffic as it ran (the step's weight where the log has no record of it),"
                                    + " decision, running e-values");
            for (TimelineEntry e : report.timeline()) {
                out.printf(
                        Locale.ROOT,
                        "  %4d-%4d  %3d%%  %-8s  e(err)=%-9.3g e(p50)=%-9.3g e(p99)=%-9.3g %s%n",
                        e.t(),
                        e.t() + intervalSeconds,
                        frozen == null
                                ? e.weight()
                                : frozen.ranAt(e.weight())
                                        .map(ReplicaPlan::sharePercent)
                                        .orElse(e.weight()),
                        e.decision(),
                        e.errorEValue(),
                        e.p50EValue(),
                        e.p99EValue(),
                        frozen == null ? e.note() : ranNote(e.note()));
            }
        }
        out.flush();
    }

    /**
     * What traffic the canary really had in each step the replay went through, as the audit log records it: by replica
     * ratio its share of the pods, which a service with few replicas cannot make the step's weight.
     */
    private String trafficLine(AnalysisReport report) {
        var parts = new ArrayList<String>();
        int step = 0;
        int previous = -1;
        for (TimelineEntry e : report.timeline()) {
            if (e.weight() == previous) {
                continue;
            }
            previous = e.weight();
            step++;
            int weight = e.weight();
            parts.add("step " + step + ": "
                    + frozen.ranAt(weight)
                            .map(ReplicaPlan::trafficInWords)
                            .orElse(weight + "% of traffic, the step's weight (the audit log has no record of its"
                                    + " pods: a Harbormaster from before the first step was recorded ran it)"));
        }
        return String.join("; ", parts);
    }

    /** The end of a step's note, where the analysis names the next step's weight: "the next step's weight is 25%". */
    private static final java.util.regex.Pattern NEXT_STEP =
            java.util.regex.Pattern.compile("the next step's weight is (\\d+)%$");

    /**
     * A timeline note of a pipeline canary, with what the next step really ran on where that did not give the step's
     * weight: "the next step's weight is 25%; it ran on 3 of 10 pods, 30% of traffic".
     */
    private String ranNote(String note) {
        var next = NEXT_STEP.matcher(note);
        if (!next.find()) {
            return note;
        }
        return frozen.ranAt(Integer.parseInt(next.group(1)))
                .filter(plan -> plan.sharePercent() != plan.weightPercent())
                .map(plan -> note
                        + (plan.split() == TrafficSplit.ROUTE_WEIGHTS
                                ? "; it ran at " + plan.share() + " of traffic"
                                : "; it ran on " + plan.canary() + " of " + plan.pods() + " pods, " + plan.share()
                                        + " of traffic"))
                .orElse(note);
    }

    /** {@code --deploy}: the canary as the pipeline froze it, judged as the pipeline judged it. */
    private int replayDeploy() {
        if (input != null || prometheus != null) {
            throw new UserError("give one of --deploy ID (with --db), --input FILE or --prometheus URL");
        }
        if (escalated || noiseHistoryFile != null) {
            throw new UserError("--deploy reads whether the canary was escalated and its noise history from the"
                    + " deploy's audit entry: drop --escalated and --noise-history");
        }
        if (policyFile != null && configFile != null) {
            throw new UserError("give either --config FILE (the service's policy) or --policy FILE, not both");
        }
        try (var db = database.openExisting()) {
            frozen = FrozenCanary.read(db, deploy);
        }
        var stored = frozen.startedPolicy();
        CanaryPolicy policy;
        String policySource;
        if (policyFile != null) {
            policy = CanaryPolicyFile.read(policyFile);
            policy = frozen.escalated() ? policy.cautious() : policy;
            policySource = policyFile.toString();
        } else if (configFile != null || stored.isEmpty()) {
            var config = configFile != null
                    ? configFile
                    : Path.of(System.getenv().getOrDefault("HARBORMASTER_CONFIG", "harbormaster.yml"));
            policy = frozen.policy(config);
            policySource = config + " (service " + frozen.deploy().service() + ")";
        } else {
            policy = stored.get();
            policySource = STORED;
        }
        replayedPolicy = new ReplayedPolicy(
                policySource,
                CanaryPolicyJson.hash(CanaryPolicyJson.write(policy)),
                frozen.started().map(StartedPolicy::hash));
        frozen.agree(policy, policySource.equals(STORED) ? "the policy it started with" : policySource);
        var history = frozen.history();
        var used =
                new ReplayedHistory(history.noise().capped(policy.sequential().noiseHistory()), history.stableTrack());
        var series = frozen.samples();
        print(
                CanaryAnalysis.replay(series, policy, used.noise(), used.source()),
                used,
                policy.intervalSeconds(),
                series.size());
        return 0;
    }

    /** Where the noise history came from, for the report. */
    private String historySource() {
        if (noiseHistoryFile != null) {
            return noiseHistoryFile.toString();
        }
        return "deploy " + frozen.deploy().id() + "'s " + frozen.decision().orElse("decision") + " audit entry";
    }
}

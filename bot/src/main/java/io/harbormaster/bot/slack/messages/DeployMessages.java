package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;
import static io.harbormaster.bot.slack.messages.Mrkdwn.user;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.bot.slack.ServiceHold;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.Verdict;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.RuleOutcome;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.TrafficSplit;
import io.harbormaster.engine.text.Durations;
import io.harbormaster.engine.text.Numbers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The deploy's parent message and the thread replies, one per phase. */
public final class DeployMessages {
    /**
     * How the thread's evidence lines write an estimate that is not a shift: {@code change +25% [+10%, +40%]}, {@code z
     * = 3.1}, {@code score 62/100}: plain numbers, whatever the metric.
     */
    private static final Evidence.Wording LINE = new Evidence.Wording(Mrkdwn::num, true, true, false);

    /**
     * ... and a shift, in the metric's units as the rollback notice gives them: {@code shift +0.32 pp [-0.9 pp, +0.92
     * pp]}, {@code shift +41.5 ms [+12.3 ms, +70 ms]}.
     */
    private static Evidence.Wording shiftIn(String metric) {
        return new Evidence.Wording(v -> MetricUnits.shift(metric, v), false, true, false);
    }

    /** How many risk factors a reply lists. */
    static final int TOP_FACTORS = 5;

    private DeployMessages() {}

    /** The one message per deploy in the channel, updated in place as the deploy moves on. */
    public static SlackMessage parent(DeployView d) {
        var title = title(d);
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section("*" + title + "*" + (d.emergency() ? "  :rotating_light: *emergency*" : "")));
        blocks.add(BlockKit.fields(List.of(
                "*Service*\n" + d.service(),
                "*Version*\n`" + d.version() + "`",
                "*Environment*\n" + d.environment(),
                "*Requested by*\n" + requester(d.requesterId()))));
        var stateLine = escape(d.stateLine(), d.people());
        blocks.add(BlockKit.context(
                List.of(stateEmoji(d) + " *" + d.state().words() + "*: " + stateLine, "deploy #" + d.deployId())));
        // The text is what Slack's notifications show, read as mrkdwn like the blocks: the state line may carry what a
        // person typed (a lock's reason in a preflight block), so it is escaped there too, and names people the same
        // way.
        return new SlackMessage(title + ": " + stateLine, blocks);
    }

    /**
     * What the person who typed {@code /deploy} sees in place of "Checking …" once the deploy has its parent message
     * and thread in the channel: that it started, and where to follow it ({@code threadLink}, when Slack gave one).
     */
    public static String started(DeployView d, Optional<String> threadLink) {
        return ":white_check_mark: Deploy #" + d.deployId() + " (`" + d.service() + "` `" + d.version() + "` to "
                + d.environment() + ") started: follow it in "
                + threadLink.map(l -> "<" + l + "|its thread>").orElse("its thread in this channel") + ".";
    }

    /** The first thread reply: the request was taken. */
    public static SlackMessage received(DeployView d) {
        return SlackMessage.text("Request received from " + requester(d.requesterId()) + " for `" + d.service()
                + "` `" + d.version() + "` to " + d.environment()
                + (d.emergency()
                        ? ". :rotating_light: Emergency deploy: it skips the approval wait and needs a review afterwards."
                        : ". Scoring risk next; updates follow in this thread."));
    }

    /** Risk score, threshold, the top factors with their contributions, and the rules that escalate. */
    public static SlackMessage risk(RiskAssessment r) {
        return risk(r, false);
    }

    /**
     * ... of an {@code emergency} deploy or not: an emergency deploy skips the approval wait whatever its score, and an
     * approver reviews it after the fact, which is what its thread says instead of "needs an approver".
     */
    public static SlackMessage risk(RiskAssessment r, boolean emergency) {
        boolean escalate = r.decision() instanceof RiskDecision.Escalate;
        var next = escalate
                ? emergency
                        ? "*escalated*, but an emergency deploy skips the approval wait: an approver reviews it after"
                                + " the fact"
                        : "*needs an approver*"
                : emergency
                        ? "proceeds without a human; as an emergency deploy, an approver reviews it after the fact"
                        : "proceeds without a human";
        var head = ":bar_chart: *Risk " + Numbers.score(r.score()) + "/100* (threshold "
                + Numbers.score(r.threshold().score()) + ", "
                + Math.round(r.threshold().targetRate() * 100) + "% of deploys escalate): " + next;
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section(head));
        var factors = r.factors().stream()
                .limit(TOP_FACTORS)
                .map(f -> "• " + escape(f.words()) + ": " + f.effect() + " (" + Numbers.contribution(f.contribution())
                        + ")")
                .toList();
        if (!factors.isEmpty()) {
            blocks.add(BlockKit.section("*Top factors*\n" + String.join("\n", factors)));
        }
        var rules = r.rules().stream()
                .filter(RuleOutcome.Escalate.class::isInstance)
                .map(RuleOutcome.Escalate.class::cast)
                .map(e -> "• *" + escape(e.rule()) + "*: " + escape(e.reason()))
                .toList();
        if (!rules.isEmpty()) {
            blocks.add(BlockKit.section("*Always escalate*\n" + String.join("\n", rules)));
        }
        // what a rule found without escalating (a version rolled back before, deployed again by a person): said here
        var notes = r.rules().stream()
                .filter(RuleOutcome.Note.class::isInstance)
                .map(RuleOutcome.Note.class::cast)
                .map(n -> "• *" + escape(n.rule()) + "*: " + escape(n.text()))
                .toList();
        if (!notes.isEmpty()) {
            blocks.add(BlockKit.section(":warning: *Note*\n" + String.join("\n", notes)));
        }
        if (!r.assumptions().isEmpty()) {
            blocks.add(BlockKit.context(
                    r.assumptions().stream().map(Mrkdwn::escape).toList()));
        }
        return new SlackMessage(
                "Risk " + Numbers.score(r.score()) + "/100: "
                        + (escalate
                                ? emergency
                                        ? "escalated; emergency deploy, reviewed after the fact"
                                        : "needs an approver"
                                : "proceeds"),
                blocks);
    }

    /**
     * The deploy waits its turn: another deploy of its service, or of one it depends on, is rolling out ({@code
     * reason}, the engine's words naming them); it starts by itself after them.
     */
    public static SlackMessage waiting(String reason) {
        return SlackMessage.text(":hourglass_flowing_sand: *Waiting for its turn*: " + escape(reason)
                + ". It starts by itself once that is done.");
    }

    /** Every preflight check, passing or blocking with its reason. */
    public static SlackMessage preflight(List<PreflightCheckView> checks) {
        boolean passed = checks.stream().allMatch(PreflightCheckView::passed);
        var lines = checks.stream()
                .map(c -> (c.passed() ? ":white_check_mark: " : ":no_entry: ") + "*" + escape(c.name()) + "*"
                        + (c.reason().isBlank() ? "" : ": " + escape(c.reason(), c.people())))
                .toList();
        var head = passed ? ":white_check_mark: *Preflight passed*" : ":no_entry: *Preflight blocked the deploy*";
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section(head));
        // One section per 20 checks keeps each under the section limit without cutting a check in half.
        for (int i = 0; i < lines.size(); i += 20) {
            blocks.add(BlockKit.section(String.join("\n", lines.subList(i, Math.min(lines.size(), i + 20)))));
        }
        return new SlackMessage(passed ? "Preflight passed" : "Preflight blocked the deploy", blocks);
    }

    /**
     * One canary step: what the canary really has, and every metric compared, canary against baseline. By replica
     * ratio traffic follows pods, so the head gives the pods and the share they make ("1 of 4 pods (25% of traffic)"),
     * and the step's weight beside them when the pods cannot give it, with why. By route weights the share is the
     * weight, and the route's weights and the pods are shown.
     */
    public static SlackMessage canaryStep(int step, int steps, ReplicaPlan plan, List<Evidence> evidence) {
        var what = plan.split() == TrafficSplit.ROUTE_WEIGHTS
                ? " at " + plan.trafficInWords()
                : ": " + plan.trafficInWords();
        var head = ":bird: *Canary step " + step + "/" + steps + "*" + what;
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section(head));
        if (plan.split() == TrafficSplit.ROUTE_WEIGHTS) {
            blocks.add(BlockKit.context(List.of("By " + plan.routeInWords()
                    + (plan.missesWeight()
                            ? ". The step asks for " + plan.weightPercent()
                                    + "%, but the baseline gets as much as the canary: half each is the most."
                            : "."))));
        } else if (plan.missesWeight()) {
            blocks.add(BlockKit.context(List.of(":warning: Traffic follows pods, and " + plan.pods()
                    + " pods cannot give the step's " + plan.weightPercent() + "%: " + plan.canary() + " canary, "
                    + plan.baseline() + " baseline (as many as the canary), " + plan.stable()
                    + " stable. More replicas give finer steps.")));
        }
        for (var e : evidence) {
            blocks.add(BlockKit.section(evidenceLine(e)));
        }
        return new SlackMessage("Canary step " + step + "/" + steps + what, blocks);
    }

    /**
     * The canary's pods restart, below the restart trigger's limit so far: how many restarts in the trigger's window
     * (the baseline's beside them, when it had data: as many there points away from the change), and the trigger's
     * limit, so that whoever watches the thread can look before the canary is rolled back.
     */
    public static SlackMessage restarting(double restarts, double baselineRestarts, double limit, long windowSeconds) {
        var window = Durations.words(Duration.ofSeconds(windowSeconds));
        var seen = Numbers.count(Math.round(restarts), "canary pod restart", "canary pod restarts") + " in the last "
                + window;
        var baseline = Double.isFinite(baselineRestarts) ? " (baseline: " + Math.round(baselineRestarts) + ")" : "";
        var limitWords = "the restart trigger's limit is " + Math.round(limit) + " within " + window;
        return new SlackMessage(
                "Canary pods restarting: " + seen + "; " + limitWords,
                List.of(
                        BlockKit.section(
                                ":warning: *Canary pods restarting*: " + seen + baseline + "; " + limitWords + "."),
                        BlockKit.context(List.of("Nothing is rolled back yet. The canary pods' logs and events say why"
                                + " they restart."))));
    }

    /** The final decision and the evidence behind it, the deciding piece first (for a rollback, each metric once). */
    public static SlackMessage decision(DeployView d, Verdict verdict) {
        return decision(d, verdict, "");
    }

    /**
     * ... with {@code why} (mrkdwn, escaped by the caller) under the head: the reason when no evidence decided it (a
     * person's rollback, pods that never became ready).
     */
    public static SlackMessage decision(DeployView d, Verdict verdict, String why) {
        var head =
                switch (verdict) {
                    case Verdict.Promote p -> ":rocket: *Promoted*: `" + d.version() + "` now serves all traffic.";
                    case Verdict.Rollback r -> ":rewind: *Rolled back*: traffic is back on the stable version.";
                    case Verdict.Pause p ->
                        ":double_vertical_bar: *Paused*: the analysis cannot decide safely;"
                                + " a human needs to look.";
                    // the weight, not the share: the step message says what the pods give
                    case Verdict.Continue c ->
                        ":arrow_forward: *Continuing*: the next step's weight is " + c.weight() + "%.";
                };
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section(head));
        if (!why.isBlank()) {
            blocks.add(BlockKit.section(why));
        }
        // A rollback's evidence is the rule that fired, then the judges' running figures, which may name the same
        // metric again: each metric is shown once, the one that fired first with its reason.
        var evidence = verdict instanceof Verdict.Rollback ? eachMetricOnce(verdict.evidence()) : verdict.evidence();
        for (var e : evidence) {
            blocks.add(BlockKit.section(evidenceLine(e)));
        }
        blocks.add(
                BlockKit.context("decided " + verdict.at() + " s after the canary started · deploy #" + d.deployId()));
        return new SlackMessage(head.replace("*", ""), blocks);
    }

    /** How many emergency deploys awaiting review {@code /deploy status} lists; it counts the others. */
    public static final int REVIEWS_SHOWN = 10;

    /** An emergency deploy awaiting its review, as {@code /deploy status} lists it, with a link to its thread. */
    public record ReviewWaitLine(DeployView deploy, Optional<String> threadLink) {}

    /**
     * {@code /deploy status}: what holds deploys back now (locks, automatic-deploy blocks, freezes, open incidents of
     * dependencies), the deploys in flight, then per service the last finished one with its outcome and when it
     * ended, one line each.
     */
    public static SlackMessage status(List<DeployView> deploys, List<ServiceHold> holds) {
        return status(deploys, holds, List.of(), 0, Instant.EPOCH);
    }

    /**
     * ... and, after what holds deploys back, the emergency deploys that ended and still await their review
     * ({@code awaitingReview}, the first {@link #REVIEWS_SHOWN} of {@code awaitingTotal}), each with when it ended and
     * how long ago ({@code now}), who ran it, and its thread.
     */
    public static SlackMessage status(
            List<DeployView> deploys,
            List<ServiceHold> holds,
            List<ReviewWaitLine> awaitingReview,
            int awaitingTotal,
            Instant now) {
        return status(deploys, holds, awaitingReview, awaitingTotal, now, Map.of());
    }

    /**
     * ... and, under a service whose last finished deploy was not promoted, the version it last promoted ({@code
     * lastPromoted}, by service): a rolled-back or failed deploy is not what runs, and the reader should not have to
     * look further back to know what does.
     */
    public static SlackMessage status(
            List<DeployView> deploys,
            List<ServiceHold> holds,
            List<ReviewWaitLine> awaitingReview,
            int awaitingTotal,
            Instant now,
            Map<String, DeployView> lastPromoted) {
        if (deploys.isEmpty() && holds.isEmpty() && awaitingReview.isEmpty()) {
            return SlackMessage.text("No deploys to show: nothing is in flight and nothing has finished yet.");
        }
        var inFlight = deploys.stream().filter(d -> !d.state().terminal()).toList();
        var finished = deploys.stream().filter(d -> d.state().terminal()).toList();
        var blocks = new ArrayList<LayoutBlock>();
        if (!holds.isEmpty()) {
            statusSection(
                    blocks,
                    "*Held back*",
                    holds.stream().map(DeployMessages::holdLine).toList());
        }
        if (!awaitingReview.isEmpty()) {
            var lines = new ArrayList<>(
                    awaitingReview.stream().map(r -> reviewLine(r, now)).toList());
            if (awaitingTotal > awaitingReview.size()) {
                lines.add("… and " + (awaitingTotal - awaitingReview.size()) + " more");
            }
            statusSection(blocks, "*Emergency deploys awaiting review*", lines);
            blocks.add(BlockKit.context("A member of the service's approvers (not who ran it, nor the change's"
                    + " author) reviews each, or of the auditor group for a service no longer in harbormaster.yml:"
                    + " *Mark reviewed* in its thread, or `" + DeployCommandParser.REVIEW_USAGE + "`."));
        }
        if (!inFlight.isEmpty()) {
            statusSection(
                    blocks,
                    "*In flight*",
                    inFlight.stream()
                            .map(d -> stateEmoji(d) + " *" + d.service() + "* `" + d.version() + "` → "
                                    + d.environment() + ": " + stateName(d) + " (" + escape(d.stateLine(), d.people())
                                    + ") · #"
                                    + d.deployId())
                            .toList());
        }
        if (!finished.isEmpty()) {
            statusSection(
                    blocks,
                    inFlight.isEmpty() ? "*Last finished* (nothing in flight)" : "*Last finished*",
                    finished.stream()
                            .map(d -> stateEmoji(d) + " *" + d.service() + "* `" + d.version() + "` → "
                                    + d.environment() + ": " + stateName(d) + " " + Mrkdwn.time(d.updatedAt()) + " ("
                                    + escape(d.stateLine(), d.people()) + ") · #" + d.deployId()
                                    + lastPromotedLine(d, lastPromoted))
                            .toList());
        }
        if (deploys.isEmpty()) {
            blocks.add(BlockKit.context(
                    List.of("No deploys to show: nothing is in flight and nothing has finished yet.")));
        }
        return new SlackMessage(
                (holds.isEmpty() ? "" : holds.size() + " held back, ")
                        + (awaitingReview.isEmpty()
                                ? ""
                                : Math.max(awaitingTotal, awaitingReview.size()) + " awaiting review, ")
                        + inFlight.size() + " in flight, " + finished.size() + " last finished",
                blocks);
    }

    /** Under a deploy that was not promoted: the version its service last promoted, if any. */
    private static String lastPromotedLine(DeployView d, Map<String, DeployView> lastPromoted) {
        var promoted = lastPromoted.get(d.service());
        if (d.state() == DeployState.PROMOTED || promoted == null || promoted.deployId() == d.deployId()) {
            return "";
        }
        return "\n      ↳ last promoted: `" + promoted.version() + "` " + Mrkdwn.time(promoted.updatedAt()) + " · #"
                + promoted.deployId() + " (what runs, unless the cluster was changed since)";
    }

    private static String reviewLine(ReviewWaitLine r, Instant now) {
        var d = r.deploy();
        return ":rotating_light: *" + d.service() + "* `" + d.version() + "` → " + d.environment() + ": " + stateName(d)
                + " " + Mrkdwn.time(d.updatedAt()) + " (" + Durations.words(Duration.between(d.updatedAt(), now))
                + " ago), run by " + requester(d.requesterId()) + " · #" + d.deployId()
                + r.threadLink().map(l -> " · <" + l + "|thread>").orElse("");
    }

    private static String holdLine(ServiceHold h) {
        var by = h.by().map(u -> " by " + user(u)).orElse("");
        var since = h.since().map(t -> " since " + Mrkdwn.time(t)).orElse("");
        // the minute a hold has ended by, as preflight says it
        var until = h.until()
                .map(t -> " until " + io.harbormaster.engine.text.Times.end(t))
                .orElse("");
        // a lock's or a freeze's reason is what a person typed; a block's or an incident's names who asked for the
        // rollback behind it (h.people())
        var reason = escape(h.reason(), h.people());
        return switch (h.kind()) {
            case LOCK ->
                ":lock: *" + h.service() + "* locked" + by + since + ": " + reason + " (`/deploy unlock " + h.service()
                        + "` lifts it)";
            case AUTO_DEPLOY_BLOCK ->
                ":no_entry_sign: *" + h.service() + "* automatic deploys blocked" + until + ": " + reason
                        + " (a deploy started in Slack still runs)";
            case FREEZE ->
                ":snowflake: *" + h.service() + "* frozen" + since + until + by + ": " + reason
                        + " (only `--emergency` deploys)";
            case DEPENDENCY_INCIDENT -> {
                var i = h.incident().orElseThrow();
                yield ":ambulance: *" + h.service() + "* held back by incident #" + i.incidentId() + " of its"
                        + " dependency *" + i.service() + "*" + since + ", until it is resolved, at most" + until + ": "
                        + reason + " (a member of *" + escape(i.resolvers()) + "* clears it with `/deploy"
                        + " resolve " + i.incidentId() + "`, a promoted deploy of " + i.service()
                        + " resolves it; `--emergency` deploys go ahead)";
            }
        };
    }

    /** A status section: its head, then its lines, split as {@link BlockKit#sections} splits a list. */
    private static void statusSection(List<LayoutBlock> blocks, String head, List<String> lines) {
        blocks.addAll(BlockKit.sections(head, lines));
    }

    private static String stateName(DeployView d) {
        return d.state().words();
    }

    /**
     * One piece of evidence: metric, the values compared (when the judge has them), the estimate under the name of
     * what it is ({@link Evidence#estimateInWords}), and the judge's reason. The values and a shift are in the metric's
     * units, as the rollback notice above gives them (an error rate of 0.0123 reads 1.23%, a latency 312 ms); a p-value,
     * an e-value and a test statistic are plain numbers.
     */
    static String evidenceLine(Evidence e) {
        var figures = new ArrayList<String>();
        if (!Double.isNaN(e.baseline())) {
            figures.add("baseline " + MetricUnits.value(e.metric(), e.baseline()));
        }
        if (!Double.isNaN(e.canary())) {
            figures.add("canary " + MetricUnits.value(e.metric(), e.canary()));
        }
        if (!Double.isNaN(e.estimate())) {
            figures.add(
                    e.estimateInWords(e.estimateKind() == Evidence.EstimateKind.SHIFT ? shiftIn(e.metric()) : LINE));
        }
        if (!Double.isNaN(e.pValue())) {
            figures.add("p = " + Mrkdwn.stat(e.pValue()));
        }
        if (!Double.isNaN(e.eValue())) {
            figures.add("e = " + Mrkdwn.stat(e.eValue()));
        }
        var line = new StringBuilder("*")
                .append(escape(e.metric()))
                .append("* (")
                .append(escape(e.judge()))
                .append(", ")
                .append(escape(e.rule()))
                .append(")");
        if (!figures.isEmpty()) {
            line.append(": ").append(String.join(", ", figures));
        }
        if (!e.reason().isBlank()) {
            line.append("\n").append(escape(e.reason()));
        }
        return line.toString();
    }

    /** Each metric once, the first piece of evidence about it kept: a rollback's tripping rule before the rest. */
    static List<Evidence> eachMetricOnce(List<Evidence> evidence) {
        var first = new java.util.LinkedHashMap<String, Evidence>();
        for (var e : evidence) {
            first.putIfAbsent(e.metric(), e);
        }
        return List.copyOf(first.values());
    }

    static String title(DeployView d) {
        return d.service() + " " + d.version() + " → " + d.environment();
    }

    public static String requester(String id) {
        // Slack user ids start with U or W; anything else (a CI system) is shown as a name.
        return Mrkdwn.MEMBER_ID.matcher(id).matches() ? user(id) : escape(id);
    }

    static String stateEmoji(DeployView d) {
        return switch (d.state()) {
            case REQUESTED, SCORED -> ":hourglass_flowing_sand:";
            case AWAITING_APPROVAL -> ":raised_hand:";
            case APPROVED, PREFLIGHT -> ":mag:";
            case CANARY, PROMOTING -> ":bird:";
            case PROMOTED -> ":white_check_mark:";
            case ROLLING_BACK, ROLLED_BACK -> ":rewind:";
            case REJECTED, EXPIRED, FAILED -> ":x:";
        };
    }

    /**
     * The answer to a deploy request that repeats one in flight (a retried request, or the same service and version
     * asked for again): which deploy it is, who asked for it when someone else did, where to follow it. A retried
     * request finds its deploy even once it has ended, which is then not said to be in flight.
     */
    public static String alreadyRequested(DeployView existing, String askedBy, java.util.Optional<String> threadLink) {
        return alreadyRequested(existing, askedBy, threadLink, java.util.Optional.empty());
    }

    /**
     * ... where the deploy may be a revert ({@code /deploy rollback} after a promotion) that puts back the version asked
     * for: said so, since it is not the deploy with a canary that was asked for.
     */
    public static String alreadyRequested(
            DeployView existing,
            String askedBy,
            java.util.Optional<String> threadLink,
            java.util.Optional<io.harbormaster.engine.rollout.Revert> revert) {
        return (existing.state().terminal() ? "Already requested: deploy #" : "Already in flight: deploy #")
                + existing.deployId() + " (" + escape(existing.service()) + " `"
                + existing.version() + "`, " + existing.state().words() + ")"
                + revert.map(r -> ", a revert of `" + escape(r.fromVersion()) + "` that puts `" + existing.version()
                                + "` back without a canary")
                        .orElse("")
                + (existing.requesterId().equals(askedBy) ? "" : ", requested by " + requester(existing.requesterId()))
                + threadLink.map(l -> ", follow its <" + l + "|thread>").orElse("") + ". Nothing new was started.";
    }
}

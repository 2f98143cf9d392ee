package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.ServiceHold;
import io.harbormaster.engine.canary.AnalysisRuns;
import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.ClosingTestEvidence;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.canary.Verdict;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.ReplicaPlan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How the canary's evidence reads in the thread: changes as percentages, values and shifts in the metric's units (as
 * the rollback notice gives them), statistics as plain numbers, each metric once.
 */
class DeployMessagesTest {
    static final DeployView DEPLOY = new DeployView(
            7,
            "checkout",
            "1.2.0",
            "production",
            "U0REQUESTER",
            DeployState.ROLLED_BACK,
            "rolled back",
            false,
            Instant.parse("2026-11-24T10:00:00Z"));

    /** The sequential judge's evidence: its estimate is the canary's value over the baseline's. */
    static Evidence sequential(String metric, String rule, double baseline, double canary, double ratio) {
        return new Evidence(
                "sequential",
                metric,
                rule,
                baseline,
                canary,
                ratio,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                4.2,
                metric + " " + rule);
    }

    static String text(SlackMessage m) {
        return BlockKitLimits.json(m.blocks());
    }

    @Test
    void aRatioIsShownAsTheSignedChangeItMeansAndTheValuesInTheMetricsUnits() {
        var step = DeployMessages.canaryStep(
                2,
                3,
                ReplicaPlan.forWeight(20, 25),
                List.of(
                        sequential("p50_ms", "running", Double.NaN, Double.NaN, 1.25),
                        sequential("error_rate", "running", 0.002, 0.0018, 0.9)));
        var text = text(step);

        assertThat(text).contains("*p50_ms* (sequential, running): change +25%");
        assertThat(text).contains("*error_rate* (sequential, running): baseline 0.2%, canary 0.18%, change -10%");
        assertThat(text).doesNotContain("+1.25", "0.9,", "shift", "0.002", "0.0018");
        // the latency judge has no raw values to show: no "n/a" stands in for them
        assertThat(text).doesNotContain("n/a");
    }

    @Test
    void aStepThePodsCannotGiveShowsTheShareTheCanaryHasAndWhy() {
        var text = text(DeployMessages.canaryStep(1, 3, ReplicaPlan.forWeight(3, 5), List.of()));
        assertThat(text)
                .contains("*Canary step 1/3*: 1 of 3 pods (about 33% of traffic; the step asks for 5%)")
                .contains("Traffic follows pods, and 3 pods cannot give the step's 5%: 1 canary, 1 baseline (as many"
                        + " as the canary), 1 stable.")
                .doesNotContain("at 5% of traffic");
        assertThat(text(DeployMessages.canaryStep(1, 3, ReplicaPlan.forWeight(20, 5), List.of())))
                .contains("*Canary step 1/3*: 1 of 20 pods (5% of traffic)")
                .doesNotContain("follows pods", "asks for");
    }

    /**
     * A service of 4 replicas: its 50% step gets 1 canary pod, as its 25% step did. The head says so with the share
     * and the weight asked for, and the evidence that ended the step before names the weight as a weight, not as the
     * canary's share.
     */
    @Test
    void aSmallServicesStepSaysItsPodsAndTheirShareAndNoEvidenceLineContradictsThem() {
        var policy = CanaryPolicy.defaults(); // 5%, 25%, 50%
        var analysis = new CanaryAnalysis(policy);
        Verdict verdict;
        long t = 0;
        do {
            verdict = analysis.observe(healthy(t));
            t += policy.intervalSeconds();
        } while (verdict.evidence().stream().noneMatch(e -> e.rule().equals("step complete")) && t < 600);
        assertThat(verdict).isInstanceOf(Verdict.Continue.class);
        var step = DeployMessages.canaryStep(2, 3, ReplicaPlan.forWeight(4, 25), verdict.evidence());
        assertThat(step.text()).isEqualTo("Canary step 2/3: 1 of 4 pods (25% of traffic)");
        var text = text(step);
        assertThat(text)
                .contains("*Canary step 2/3*: 1 of 4 pods (25% of traffic)")
                .contains("step 1 done after", "the next step's weight is 25%")
                .doesNotContain("canary to 25%");

        var half = text(DeployMessages.canaryStep(3, 3, ReplicaPlan.forWeight(4, 50), List.of()));
        assertThat(half)
                .contains("*Canary step 3/3*: 1 of 4 pods (25% of traffic; the step asks for 50%)")
                .contains("1 canary, 1 baseline (as many as the canary), 2 stable")
                .doesNotContain("at 50%", "at about");
    }

    @Test
    void restartingCanaryPodsAreToldWithTheRestartsSeenAndTheTriggersLimit() {
        var m = DeployMessages.restarting(2, 0, 3, 300);
        assertThat(text(m))
                .contains(":warning: *Canary pods restarting*: 2 canary pod restarts in the last 5 min (baseline: 0);"
                        + " the restart trigger's limit is 3 within 5 min.")
                .contains("Nothing is rolled back yet.");
        assertThat(m.text())
                .isEqualTo("Canary pods restarting: 2 canary pod restarts in the last 5 min; the restart trigger's"
                        + " limit is 3 within 5 min");
        assertThat(text(DeployMessages.restarting(1, Double.NaN, 3, 90)))
                .contains("1 canary pod restart in the last 90 s; the restart trigger's limit is 3 within 90 s.")
                .doesNotContain("baseline", "NaN");
    }

    /** An interval in which canary and baseline serve alike. */
    private static IntervalSample healthy(long t) {
        var track = new TrackSample(1000, 2, 40, 90, 0);
        return new IntervalSample(t, track, track);
    }

    @Test
    void aStepByRouteWeightsShowsTheExactWeightTheRouteGivesAndThePodsBehindIt() {
        var text = text(DeployMessages.canaryStep(1, 3, ReplicaPlan.forRouteWeight(3, 5), List.of()));
        assertThat(text)
                .contains("*Canary step 1/3* at 5% of traffic")
                .contains(
                        "By route weights: canary 5%, baseline 5%, stable 90% (pods: 1 canary, 1 baseline, 3 stable).")
                .doesNotContain("about", "follows pods");
        assertThat(text(DeployMessages.canaryStep(4, 4, ReplicaPlan.forRouteWeight(10, 80), List.of())))
                .contains("at 50% of traffic")
                .contains("canary 50%, baseline 50%, stable 0%")
                .contains("The step asks for 80%, but the baseline gets as much as the canary");
    }

    @Test
    void statusListsADependentHeldBackByItsDependencysIncidentWithHowToClearIt() {
        var t = java.time.Instant.parse("2026-11-24T10:00:00Z");
        var text = text(DeployMessages.status(
                List.of(),
                List.of(io.harbormaster.bot.slack.ServiceHold.dependencyIncident(
                        "checkout",
                        new io.harbormaster.engine.policy.DependencyIncident(
                                "inventory",
                                2,
                                t,
                                t.plusSeconds(3600),
                                "rollback requested by U0ENGINEER",
                                "approvers")))));
        assertThat(text)
                .contains("*Held back*")
                .contains("*checkout* held back by incident #2 of its dependency *inventory* since ")
                .contains("until it is resolved, at most until 2026-11-24 11:00 UTC: rollback requested by U0ENGINEER")
                .contains("a member of *approvers* clears it with `/deploy resolve 2`")
                .contains("a promoted deploy of inventory resolves it; `--emergency` deploys go ahead");
    }

    @Test
    void statusListsWhatHoldsDeploysBackBeforeTheDeploys() {
        var t = java.time.Instant.parse("2026-11-24T10:00:00Z");
        var text = text(DeployMessages.status(
                List.of(),
                List.of(
                        new ServiceHold(
                                "search",
                                ServiceHold.Kind.AUTO_DEPLOY_BLOCK,
                                "rolled back 2.0.0",
                                java.util.Optional.empty(),
                                java.util.Optional.empty(),
                                java.util.Optional.of(t)),
                        new ServiceHold(
                                "search",
                                ServiceHold.Kind.FREEZE,
                                "Black Friday (harbormaster.yml)",
                                java.util.Optional.empty(),
                                java.util.Optional.of(t.minusSeconds(86400)),
                                java.util.Optional.of(t)))));
        assertThat(text)
                .contains("*Held back*")
                .contains("*search* automatic deploys blocked until ")
                .contains("rolled back 2.0.0 (a deploy started in Slack still runs)")
                .contains("*search* frozen since ")
                .contains("Black Friday (harbormaster.yml) (only `--emergency` deploys)")
                .contains("nothing is in flight");
    }

    @Test
    void statusListsTheEmergencyDeploysAwaitingReviewWithHowLongAgoWhoRanThemAndTheirThread() {
        var ended = Instant.parse("2026-11-24T08:00:00Z");
        var promoted = new DeployView(
                12, "checkout", "1.5.0", "production", "U0ANA", DeployState.PROMOTED, "1.5.0 is live", true, ended);
        var failed = new DeployView(
                13,
                "search",
                "5.2.0",
                "production",
                "U0BOB",
                DeployState.FAILED,
                "blocked",
                true,
                ended.plusSeconds(3600));
        var message = DeployMessages.status(
                List.of(),
                List.of(),
                List.of(
                        new DeployMessages.ReviewWaitLine(
                                promoted, Optional.of("https://example.slack.com/archives/C1/p1")),
                        new DeployMessages.ReviewWaitLine(failed, Optional.empty())),
                DeployMessages.REVIEWS_SHOWN + 2,
                ended.plus(java.time.Duration.ofHours(2).plusMinutes(5)));
        var text = text(message);

        assertThat(text)
                .contains("*Emergency deploys awaiting review*")
                .contains("*checkout* `1.5.0` → production: promoted 2026-11-24 08:00 UTC (2 h 5 min ago), run by"
                        + " <@U0ANA> · #12 · <https://example.slack.com/archives/C1/p1|thread>")
                .contains(
                        "*search* `5.2.0` → production: failed 2026-11-24 09:00 UTC (65 min ago), run by <@U0BOB> · #13")
                .contains("… and 10 more")
                .contains("`/deploy review <deploy-id>`")
                .contains("nothing is in flight");
        assertThat(message.text()).startsWith("12 awaiting review, 0 in flight");
        assertThat(text(DeployMessages.status(List.of(DEPLOY), List.of()))).doesNotContain("awaiting review");
    }

    @Test
    void aServiceWhoseLastDeployWasNotPromotedShowsTheVersionItLastPromoted() {
        var promoted = new DeployView(
                5,
                "checkout",
                "1.1.0",
                "production",
                "U0ANA",
                DeployState.PROMOTED,
                "1.1.0 is live",
                false,
                Instant.parse("2026-11-24T09:00:00Z"));
        var live = new DeployView(
                8,
                "search",
                "5.1.0",
                "production",
                "U0ANA",
                DeployState.PROMOTED,
                "5.1.0 is live",
                false,
                Instant.parse("2026-11-24T09:30:00Z"));

        var text = text(DeployMessages.status(
                List.of(DEPLOY, live),
                List.of(),
                List.of(),
                0,
                Instant.parse("2026-11-24T11:00:00Z"),
                java.util.Map.of("checkout", promoted, "search", live)));

        assertThat(text)
                .contains("*checkout* `1.2.0` → production: rolled back")
                .contains("↳ last promoted: `1.1.0` 2026-11-24 09:00 UTC · #5")
                .as("a promoted deploy is what runs: nothing under it")
                .doesNotContain("last promoted: `5.1.0`");
        assertThat(text(DeployMessages.status(List.of(DEPLOY), List.of())))
                .as("no promotion known")
                .doesNotContain("last promoted");
    }

    @Test
    void longStatusLinesGoIntoMoreSectionsRatherThanBeingCutAtSlacksLimit() {
        var ended = Instant.parse("2026-11-24T08:00:00Z");
        var waiting = java.util.stream.IntStream.range(0, DeployMessages.REVIEWS_SHOWN)
                .mapToObj(i -> new DeployMessages.ReviewWaitLine(
                        new DeployView(
                                100 + i,
                                "service-" + i,
                                "1.0.0-" + "x".repeat(200),
                                "production",
                                "U0ANA",
                                DeployState.PROMOTED,
                                "live",
                                true,
                                ended),
                        Optional.of("https://example.slack.com/archives/C1/p" + "1".repeat(150))))
                .toList();

        var message = DeployMessages.status(
                List.of(), List.of(), waiting, DeployMessages.REVIEWS_SHOWN + 5, ended.plusSeconds(60));
        var text = text(message);

        assertThat(text).contains("… and 5 more").doesNotContain("(truncated");
        for (int i = 0; i < DeployMessages.REVIEWS_SHOWN; i++) {
            assertThat(text).contains("*service-" + i + "*");
        }
        BlockKitLimitsTest.assertWithinLimits(message);
    }

    @Test
    void aLatencyShiftAndTheValuesItComparesReadInMs() {
        var mannWhitney = new Evidence(
                "mann-whitney",
                "p99_ms",
                "classification High",
                310,
                352.5,
                41.5,
                12.25,
                70,
                0.002,
                Double.NaN,
                "High");
        var line = DeployMessages.evidenceLine(mannWhitney);

        assertThat(line)
                .startsWith("*p99_ms* (mann-whitney, classification High): baseline 310 ms, canary 353 ms,"
                        + " shift +41.5 ms [+12.2 ms, +70 ms], p = 0.002");
        assertThat(line).doesNotContain("%");
    }

    @Test
    void theRollbackBroadcastGivesTheTrippingRatioAsAChange() {
        var notice = new RollbackNotice(
                7,
                "checkout",
                "1.2.0",
                "production",
                sequential("error_rate", "e-value >= 20", 0.001, 0.02, 20),
                Optional.of("#3"),
                Optional.empty(),
                Instant.parse("2026-11-24T11:00:00Z"));

        assertThat(RollbackMessages.text(notice))
                .contains("error rate 2% on the canary vs 0.1% on the baseline, effect +1900% (sequential test,"
                        + " e-value 4.2; no interval)")
                .doesNotContain("+20,");
        assertThat(text(RollbackMessages.broadcast(notice))).contains("change +1900%");
    }

    @Test
    void theClosingTestsStatisticReadsAsZOrTNotAsAShift() {
        // the closing test's evidence as it gives it: its estimate is its statistic, z or t, with no interval
        var z = ClosingTestEvidence.growingErrors();
        var t = ClosingTestEvidence.growingP50();
        var errors = DeployMessages.evidenceLine(z);
        var latency = DeployMessages.evidenceLine(t);

        assertThat(errors)
                .startsWith("*error_rate* (closing, " + Mrkdwn.escape(z.rule()) + "): z = " + Mrkdwn.num(z.estimate())
                        + ", p = " + Mrkdwn.stat(z.pValue()) + "\n");
        assertThat(latency)
                .startsWith("*p50_ms* (closing, " + Mrkdwn.escape(t.rule()) + "): t = " + Mrkdwn.num(t.estimate())
                        + ", p = " + Mrkdwn.stat(t.pValue()) + "\n");
        assertThat(errors + latency)
                .doesNotContain("shift", "+" + Mrkdwn.num(z.estimate()), "+" + Mrkdwn.num(t.estimate()));

        // the rollback broadcast gives it as the statistic it is, not as an effect of that size
        var notice = new RollbackNotice(
                7,
                "checkout",
                "1.2.0",
                "production",
                z,
                Optional.of("#3"),
                Optional.empty(),
                Instant.parse("2026-11-24T11:00:00Z"));
        assertThat(RollbackMessages.text(notice))
                .contains("Rolled back checkout 1.2.0 in production: error rate (closing test, z = "
                        + Mrkdwn.num(Math.round(z.estimate() * 100) / 100.0) + ", p = ")
                .doesNotContain("effect", "shift");
        assertThat(text(RollbackMessages.broadcast(notice)))
                .contains("z = " + Mrkdwn.num(z.estimate()) + ", p = " + Mrkdwn.num(z.pValue()))
                .doesNotContain("shift");
    }

    @Test
    void aPromotionGivesTheScorersScoreOutOfAHundredAndTheMannWhitneyShiftsAsShifts() {
        // a canary exactly like its baseline, promoted by the real analysis with the step's score first
        var verdict = AnalysisRuns.until(
                Verdict.Promote.class, new TrackSample(1000, 1, 100, 300, 0), new TrackSample(1000, 1, 100, 300, 0));
        var score = verdict.evidence().getFirst();
        assertThat(score.metric()).isEqualTo("score");

        var text = text(DeployMessages.decision(DEPLOY, verdict));

        assertThat(text)
                .contains("*score* (mann-whitney, " + Mrkdwn.escape(score.rule()) + "): score "
                        + Mrkdwn.num(score.estimate()) + "/100")
                .doesNotContain("shift +" + Mrkdwn.num(score.estimate()));
        // the Mann-Whitney judge's per-metric estimates are shifts in the metric's units, and say so
        assertThat(text)
                .containsPattern("\\*p50_ms\\* \\(mann-whitney, classification [A-Za-z]+\\): baseline 100 ms, canary"
                        + " 100 ms, shift 0 ms");
    }

    @Test
    void aRollbackNamesEachMetricOnceTheOneThatFiredFirstWithItsReason() {
        // a canary whose error rate jumps from 0.1% to 5%: rolled back by the real analysis, with its running evidence
        var verdict = AnalysisRuns.until(
                Verdict.Rollback.class, new TrackSample(1000, 1, 100, 300, 0), new TrackSample(1000, 50, 100, 300, 0));
        var evidence = verdict.evidence();
        assertThat(evidence.stream().filter(e -> e.metric().equals("error_rate")))
                .as("the analysis gives error_rate twice: the rule that fired and the running evidence")
                .hasSizeGreaterThan(1);

        var text = text(DeployMessages.decision(DEPLOY, verdict));

        assertThat(Pattern.compile(Pattern.quote("*error_rate*")).matcher(text).results())
                .hasSize(1);
        var fired = evidence.getFirst();
        assertThat(text).contains("*error_rate* (" + fired.judge() + ", " + Mrkdwn.escape(fired.rule()) + ")");
        assertThat(text.indexOf("*error_rate*"))
                .isLessThan(text.indexOf("*p50_ms*"))
                .isLessThan(text.indexOf("*p99_ms*"));
        // the real judge's latency ratios read as changes
        assertThat(text)
                .containsPattern(
                        "\\*p50_ms\\* \\(sequential, running\\): baseline [0-9.]+ ms, canary [0-9.]+ ms, change"
                                + " [+-]?[0-9.]+%")
                .containsPattern(
                        "\\*p99_ms\\* \\(sequential, running\\): baseline [0-9.]+ ms, canary [0-9.]+ ms, change"
                                + " [+-]?[0-9.]+%");
    }

    @Test
    void aRollbacksErrorRatesReadInPercentInEveryLineAsInTheNoticeAndItsEValueAsANumber() {
        // the real analysis: 15.2% of the canary's requests fail against 0.9% of the baseline's
        var verdict = AnalysisRuns.until(
                Verdict.Rollback.class, new TrackSample(1000, 9, 100, 300, 0), new TrackSample(1000, 152, 100, 300, 0));
        var fired = verdict.evidence().getFirst();
        var notice = new RollbackNotice(
                7,
                "checkout",
                "1.2.0",
                "production",
                fired,
                Optional.of("#3"),
                Optional.empty(),
                Instant.parse("2026-11-24T11:00:00Z"));

        var headline = RollbackMessages.text(notice);
        var broadcast = text(RollbackMessages.broadcast(notice));
        var thread = text(DeployMessages.decision(DEPLOY, verdict));

        assertThat(headline).contains("error rate 15.2% on the canary vs 0.9% on the baseline");
        for (var shown : List.of(broadcast, thread)) {
            assertThat(shown)
                    .contains("*error_rate* (sequential, " + Mrkdwn.escape(fired.rule())
                            + "): baseline 0.9%, canary 15.2%, change +1590%, e = " + Mrkdwn.stat(fired.eValue()))
                    .contains("canary 152 errors (15.2%) against baseline 9 (0.9%); e-value ")
                    .doesNotContain("0.152", "0.009", "15.200%");
        }
        assertThat(thread).contains("*p50_ms* (sequential, running): baseline 100 ms, canary 100 ms, change 0%");
    }

    @Test
    void aStepsMannWhitneyErrorRateShiftReadsInPercentagePointsAndItsPValueAsANumber() {
        // the real analysis at a step's end: 0.3% of the canary's requests fail against 0.2% of the baseline's
        var analysis = new CanaryAnalysis(CanaryPolicy.defaults());
        Optional<Evidence> judged = Optional.empty();
        for (long t = 0; judged.isEmpty() && t < 600; t += 10) {
            judged = analysis
                    .observe(new IntervalSample(
                            t, new TrackSample(1000, 2, 100, 300, 0), new TrackSample(1000, 3, 100, 300, 0)))
                    .evidence()
                    .stream()
                    .filter(e -> e.judge().equals("mann-whitney") && e.metric().equals("error_rate"))
                    .findFirst();
        }
        var rates = judged.orElseThrow();

        var line = DeployMessages.evidenceLine(rates);

        assertThat(line)
                .startsWith("*error_rate* (mann-whitney, " + Mrkdwn.escape(rates.rule())
                        + "): baseline 0.2%, canary 0.3%, shift +0.1 pp [+0.1 pp, +0.1 pp], p = "
                        + Mrkdwn.stat(rates.pValue()) + "\n")
                .contains("\nPass: shift +0.1 pp, 98% interval [+0.1 pp, +0.1 pp] against +/-0.025 pp")
                .doesNotContain("0.001", "0.002", "0.003");
    }

    @Test
    void aRepeatedRequestNamesTheDeployInFlightWhoAskedForItWhenSomeoneElseDidAndItsThread() {
        var inFlight = new DeployView(
                9,
                "checkout",
                "1.4.1",
                "production",
                "U0ANA",
                DeployState.AWAITING_APPROVAL,
                "awaiting approval",
                false,
                Instant.parse("2026-11-24T10:00:00Z"));

        assertThat(DeployMessages.alreadyRequested(inFlight, "U0OMAR", java.util.Optional.of("https://s/t")))
                .isEqualTo("Already in flight: deploy #9 (checkout `1.4.1`, awaiting approval), requested by <@U0ANA>,"
                        + " follow its <https://s/t|thread>. Nothing new was started.");
        assertThat(DeployMessages.alreadyRequested(inFlight, "U0ANA", java.util.Optional.empty()))
                .isEqualTo("Already in flight: deploy #9 (checkout `1.4.1`, awaiting approval). Nothing new was"
                        + " started.");
    }

    @Test
    void aRequestRepeatingARevertSaysItIsOneAndWhatItPutsBack() {
        var reverting = new DeployView(
                12,
                "checkout",
                "1.4.0",
                "production",
                "U0OPS",
                DeployState.PROMOTING,
                "revert of deploy #11",
                false,
                Instant.parse("2026-11-24T10:00:00Z"));
        var revert = new io.harbormaster.engine.rollout.Revert(
                11, "1.4.1", "registry.example/checkout:1.4.0", "the stable image", "slack:r1");

        assertThat(DeployMessages.alreadyRequested(
                        reverting, "U0DEV", java.util.Optional.of("https://s/t"), java.util.Optional.of(revert)))
                .isEqualTo("Already in flight: deploy #12 (checkout `1.4.0`, promoting), a revert of `1.4.1` that puts"
                        + " `1.4.0` back without a canary, requested by <@U0OPS>, follow its <https://s/t|thread>."
                        + " Nothing new was started.");
    }

    @Test
    void aRedeliveredRequestWhoseDeployHasEndedIsNotSaidToBeInFlight() {
        // a request repeated by its idempotency key (a Slack retry) finds its deploy whatever its state
        var ended = new DeployView(
                9,
                "checkout",
                "1.4.1",
                "production",
                "U0ANA",
                DeployState.FAILED,
                "blocked by preflight",
                false,
                Instant.parse("2026-11-24T10:00:00Z"));

        assertThat(DeployMessages.alreadyRequested(ended, "U0ANA", java.util.Optional.empty()))
                .isEqualTo("Already requested: deploy #9 (checkout `1.4.1`, failed). Nothing new was started.");
    }

    @Test
    void veryLargeEValuesAndVerySmallPValuesReadInScientificNotationNotAsADozenDigits() {
        var tripped = new Evidence(
                "sequential",
                "error_rate",
                "e-value >= 500",
                0.006,
                0.138,
                22.8,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                214_400_000,
                "error_rate tripped");
        assertThat(DeployMessages.evidenceLine(tripped))
                .contains("e = 2.14e+08")
                .doesNotContain("214400000");
        var clear = new Evidence(
                "mann-whitney", "p99_ms", "High", 310, 352.5, 41.5, 12.25, 70, 1.2e-15, Double.NaN, "High");
        assertThat(DeployMessages.evidenceLine(clear)).contains("p = 1.20e-15").doesNotContain("0.0000");
        // between 0.0001 and a million they stay as they were
        assertThat(Mrkdwn.stat(0.002)).isEqualTo("0.002");
        assertThat(Mrkdwn.stat(4.2)).isEqualTo("4.2");
        assertThat(Mrkdwn.stat(123_456)).isEqualTo("123500");
        assertThat(Mrkdwn.stat(0)).isEqualTo("0");
    }
}

package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.Verdict;
import io.harbormaster.engine.risk.Factor;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.RuleOutcome;
import io.harbormaster.engine.risk.Threshold;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.ReplicaPlan;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockKitLimitsTest {
    private static final String HUGE = "x".repeat(10_000);
    private static final String HUGE_EMOJI = "🚀".repeat(5_000);

    private static List<String> many(int n, String each) {
        return IntStream.range(0, n).mapToObj(i -> i + " " + each).toList();
    }

    static DeployView deploy(String service, String stateLine) {
        return new DeployView(
                42,
                service,
                "1.2.3",
                "production",
                "U0REQUESTER",
                DeployState.CANARY,
                stateLine,
                true,
                java.time.Instant.parse("2026-11-24T10:00:00Z"));
    }

    static DeployView finished(DeployView d) {
        return new DeployView(
                d.deployId(),
                d.service(),
                d.version(),
                d.environment(),
                d.requesterId(),
                DeployState.PROMOTED,
                d.stateLine(),
                d.emergency(),
                d.updatedAt());
    }

    static RiskAssessment risk(int factors, String words) {
        return new RiskAssessment(
                "checkout",
                "1.2.3",
                73.4,
                new Threshold(0.11, 61.2, 0.45, 0.11),
                new RiskDecision.Escalate(many(200, words)),
                IntStream.range(0, factors)
                        .mapToObj(i -> new Factor("f" + i, words, 0.5 - i * 0.01))
                        .toList(),
                -2.0,
                IntStream.range(0, 100)
                        .<RuleOutcome>mapToObj(i -> new RuleOutcome.Escalate("rule" + i, words))
                        .toList(),
                many(30, words),
                List.of(words),
                new io.harbormaster.engine.risk.RiskModelId(
                        "0".repeat(64), "in memory", "test", java.util.Optional.empty()));
    }

    static Evidence evidence(String reason) {
        return new Evidence(
                "mann-whitney",
                "p99_latency",
                "classification High",
                120,
                480,
                350,
                300,
                410,
                0.001,
                Double.NaN,
                reason);
    }

    static void assertWithinLimits(SlackMessage m) {
        assertThat(BlockKitLimits.violations(m.blocks())).isEmpty();
        assertThat(m.text().length()).isLessThanOrEqualTo(BlockKit.MESSAGE_TEXT);
    }

    @Test
    void oversizedContentIsTruncatedVisiblyInEveryTemplateAndEveryLimitHolds() {
        var escalation = new EscalationView(
                deploy(HUGE, HUGE),
                risk(500, HUGE),
                HUGE,
                IntStream.range(0, 300)
                        .mapToObj(i -> new PastIncidentView(
                                EscalationCardTest.incident(i, HUGE, HUGE, HUGE), List.of("U0APPROVER")))
                        .toList(),
                Optional.of(HUGE),
                HUGE,
                10,
                many(9, HUGE),
                Instant.parse("2026-11-08T12:00:00Z"));
        var evidence = IntStream.range(0, 200).mapToObj(i -> evidence(HUGE)).toList();
        var summary = new AuditSummary(
                1_000_000,
                IntStream.range(0, 40).boxed().collect(java.util.stream.Collectors.toMap(i -> HUGE + i, i -> 5L)),
                IntStream.range(0, 80)
                        .mapToObj(i -> new AuditEntry(
                                i,
                                new AuditRecord(Instant.EPOCH, HUGE, HUGE, HUGE, HUGE, HUGE, HUGE, "{}", "", ""),
                                "",
                                ""))
                        .toList());
        var messages = List.of(
                DeployMessages.parent(deploy(HUGE, HUGE)),
                DeployMessages.received(deploy(HUGE_EMOJI, HUGE)),
                DeployMessages.risk(risk(500, HUGE)),
                DeployMessages.preflight(IntStream.range(0, 500)
                        .mapToObj(i -> new PreflightCheckView(HUGE, i % 2 == 0, HUGE_EMOJI))
                        .toList()),
                DeployMessages.canaryStep(2, 4, ReplicaPlan.forWeight(3, 25), evidence),
                DeployMessages.decision(deploy("checkout", HUGE), new Verdict.Rollback(600, evidence)),
                DeployMessages.decision(deploy("checkout", HUGE), new Verdict.Pause(600, evidence)),
                DeployMessages.status(
                        IntStream.range(0, 900)
                                .mapToObj(i -> deploy("checkout", HUGE))
                                .toList(),
                        IntStream.range(0, 300)
                                .mapToObj(i -> new io.harbormaster.bot.slack.ServiceHold(
                                        "checkout",
                                        io.harbormaster.bot.slack.ServiceHold.Kind.LOCK,
                                        HUGE,
                                        Optional.of("U1"),
                                        Optional.of(java.time.Instant.EPOCH),
                                        Optional.empty()))
                                .toList()),
                DeployMessages.status(
                        IntStream.range(0, 900)
                                .mapToObj(i -> finished(deploy("checkout", HUGE)))
                                .toList(),
                        List.of()),
                DeployMessages.status(
                        IntStream.range(0, 900)
                                .mapToObj(i -> new DeployView(
                                        i,
                                        "svc-" + i,
                                        HUGE,
                                        "production",
                                        "U0REQUESTER",
                                        DeployState.ROLLED_BACK,
                                        HUGE,
                                        false,
                                        Instant.parse("2026-11-24T10:00:00Z")))
                                .toList(),
                        List.of(),
                        List.of(),
                        0,
                        Instant.parse("2026-11-25T10:00:00Z"),
                        IntStream.range(0, 900)
                                .boxed()
                                .collect(java.util.stream.Collectors.toMap(
                                        i -> "svc-" + i, i -> finished(deploy("svc-" + i, HUGE))))),
                EscalationMessages.request(escalation),
                EscalationMessages.closed(escalation, HUGE),
                RollbackMessages.broadcast(new RollbackNotice(
                        7,
                        HUGE,
                        HUGE,
                        HUGE,
                        evidence(HUGE),
                        Optional.of(HUGE),
                        Optional.of("https://x/" + HUGE),
                        java.time.Instant.parse("2026-11-23T13:00:00Z"))),
                HelpMessage.deploy(),
                HelpMessage.audit(),
                AuditMessages.summary(
                        AuditQuery.all().withService(HUGE),
                        summary,
                        Optional.of(new AuditMessages.ExportLinks(
                                URI.create("https://h/" + HUGE),
                                URI.create("https://j"),
                                java.time.Instant.EPOCH,
                                java.time.Duration.ofMinutes(15))),
                        Optional.of(HUGE)),
                AuditMessages.verify(new VerifyReport(5, false, OptionalLong.of(3), HUGE, 1, 2), 1000),
                ReviewMessages.due(finished(deploy(HUGE, HUGE)), HUGE),
                ReviewMessages.reviewed(finished(deploy(HUGE, HUGE)), HUGE, HUGE),
                DeployMessages.status(
                        List.of(),
                        List.of(),
                        IntStream.range(0, DeployMessages.REVIEWS_SHOWN)
                                .mapToObj(i -> new DeployMessages.ReviewWaitLine(
                                        finished(deploy(HUGE, HUGE)), Optional.of("https://x/" + HUGE)))
                                .toList(),
                        500,
                        Instant.parse("2026-11-25T10:00:00Z")),
                AuditMessages.summary(
                        AuditQuery.all().withDecision("emergency"),
                        summary,
                        Optional.empty(),
                        Optional.empty(),
                        many(1000, HUGE)));
        for (var m : messages) {
            assertWithinLimits(m);
        }
        var json = BlockKitLimits.json(DeployMessages.risk(risk(500, HUGE)).blocks());
        assertThat(json).contains("(truncated, ");
    }

    @Test
    void theBuildingBlocksHoldEachLimit() {
        var blocks = List.of(
                BlockKit.section(HUGE),
                BlockKit.section(HUGE, many(30, HUGE)),
                BlockKit.fields(many(30, HUGE)),
                BlockKit.header(HUGE),
                BlockKit.context(many(30, HUGE)),
                BlockKit.actions(
                        HUGE,
                        IntStream.range(0, 40)
                                .mapToObj(i -> BlockKit.button(HUGE, HUGE, HUGE, BlockKit.Style.PRIMARY))
                                .toList()));
        assertThat(BlockKitLimits.violations(blocks)).isEmpty();
        var message = new SlackMessage(
                HUGE, IntStream.range(0, 80).mapToObj(i -> BlockKit.divider()).toList());
        assertThat(message.blocks()).hasSize(BlockKit.MAX_BLOCKS);
        assertThat(BlockKitLimits.json(message.blocks())).contains("(truncated, 31 more blocks)");
    }

    @Test
    void theLimitCheckerCatchesWhatSlackWouldRefuse() {
        var tooLong = "[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"" + "y".repeat(3001) + "\"}}]";
        assertThat(BlockKitLimits.violations(tooLong))
                .singleElement()
                .asString()
                .contains("at most 3000");
        var button = "[{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
                + "\"text\":\"ok\"},\"action_id\":\"" + "a".repeat(256) + "\",\"value\":\"" + "v".repeat(2001)
                + "\"}]}]";
        assertThat(BlockKitLimits.violations(button)).hasSize(2);
    }

    @Test
    void truncationSaysHowMuchWasCutAndNeverSplitsACharacter() {
        var cut = Truncation.cut("a".repeat(3500), 3000);
        assertThat(cut).hasSize(3000).endsWith("… (truncated, " + (3500 - cut.indexOf('…')) + " more characters)");
        assertThat(Truncation.cut("short", 3000)).isEqualTo("short");
        var emoji = Truncation.cut(HUGE_EMOJI, 151);
        assertThat(emoji.length()).isLessThanOrEqualTo(151);
        assertThat(Character.isHighSurrogate(emoji.charAt(emoji.indexOf('…') - 1)))
                .isFalse();
        assertThat(Truncation.cut("abcdef", 3)).isEqualTo("abc");
    }

    @Test
    void theEscalationCarriesApproveAndRejectButtonsWithTheDeployIdAndTheClosedOneHasNone() {
        var view = new EscalationView(
                deploy("checkout", "waiting"),
                risk(3, "lines added 900"),
                "3 files",
                List.of(),
                Optional.empty(),
                "approvers",
                1,
                List.of(),
                Instant.parse("2026-11-08T12:00:00Z"));
        var open = BlockKitLimits.json(EscalationMessages.request(view).blocks());
        assertThat(open)
                .contains("\"action_id\":\"deploy_approve\"", "\"action_id\":\"deploy_reject\"", "\"value\":\"42\"");
        var closed = BlockKitLimits.json(
                EscalationMessages.closed(view, "Approved by <@U1>").blocks());
        assertThat(closed).doesNotContain("deploy_approve").contains("Approved by <@U1>");
    }

    @Test
    void theRollbackBroadcastSaysUntilWhenAutomaticDeploysAreBlocked() {
        var message = RollbackMessages.broadcast(new RollbackNotice(
                7,
                "checkout",
                "1.2.3",
                "production",
                evidence("p99 above baseline"),
                Optional.of("INC-12"),
                Optional.empty(),
                java.time.Instant.parse("2026-11-23T13:05:00Z")));
        assertThat(message.blocks().toString())
                .contains("automatic deploys of checkout are blocked until 2026-11-23 13:05 UTC");
    }

    @Test
    void everyBlockOnAutomaticDeploysSaysTheMinuteItHasEndedByAsPreflightDoes() {
        // a block runs an hour from a rollback, to the second: the minute it ends in would send CI back too early
        var until = java.time.Instant.parse("2026-11-23T13:04:30.250Z");
        var broadcast = RollbackMessages.broadcast(new RollbackNotice(
                7,
                "checkout",
                "1.2.3",
                "production",
                evidence("p99 above baseline"),
                Optional.of("INC-12"),
                Optional.empty(),
                until));
        var view = new DeployView(
                8,
                "checkout",
                "1.2.2",
                "production",
                "U0OPS",
                io.harbormaster.engine.rollout.DeployState.PROMOTED,
                "reverted",
                false,
                until);
        var reverted = RevertMessages.reverted(
                view,
                new io.harbormaster.engine.rollout.Revert(
                        7, "1.2.3", "registry.example/checkout:1.2.2", "deploy #6", "slack:r"),
                "U0OPS",
                until,
                Optional.empty());
        var status = DeployMessages.status(
                List.of(),
                List.of(new io.harbormaster.bot.slack.ServiceHold(
                        "checkout",
                        io.harbormaster.bot.slack.ServiceHold.Kind.AUTO_DEPLOY_BLOCK,
                        "rolled back 1.2.3",
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(until))));

        assertThat(broadcast.blocks().toString())
                .contains("automatic deploys of checkout are blocked until 2026-11-23 13:05 UTC");
        assertThat(reverted.blocks().toString())
                .contains("automatic deploys of checkout are blocked until 2026-11-23 13:05 UTC");
        assertThat(status.blocks().toString()).contains("automatic deploys blocked until 2026-11-23 13:05 UTC");
    }

    @Test
    void theRollbackTextNamesMetricEffectIntervalAndIncident() {
        var text = RollbackMessages.text(new RollbackNotice(
                7,
                "checkout",
                "1.2.3",
                "production",
                evidence("p99 above baseline"),
                Optional.of("INC-12"),
                Optional.empty(),
                java.time.Instant.parse("2026-11-23T13:00:00Z")));
        assertThat(text)
                .contains(
                        "checkout 1.2.3",
                        "p99_latency",
                        "480 on the canary",
                        "120 on the baseline",
                        "effect +350",
                        "interval +300 to +410",
                        "incident INC-12");
    }

    @Test
    void aRollbackWithoutEvidenceSaysWhoAskedOrWhyAndShowsNoEmptyFigures() {
        var asked = RollbackMessages.broadcast(new RollbackNotice(
                7,
                "checkout",
                "1.4.1",
                "production",
                Optional.empty(),
                List.of(),
                Optional.empty(),
                "rollback requested by U0ANA",
                Optional.of(new io.harbormaster.engine.rollout.RollbackCause.Requested("U0ANA")),
                Optional.of("#2"),
                Optional.empty(),
                java.time.Instant.parse("2026-11-23T13:00:00Z")));
        assertThat(asked.text())
                .isEqualTo(":rewind: Rolled back checkout 1.4.1 in production at the request of <@U0ANA>"
                        + " (`/deploy rollback checkout`), not on a metric, incident #2");
        assertThat(BlockKitLimits.json(asked.blocks())).doesNotContain("n/a", "baseline");

        var notReady = RollbackMessages.text(new RollbackNotice(
                7,
                "checkout",
                "1.4.1",
                "production",
                Optional.empty(),
                List.of(),
                Optional.empty(),
                "canary pods not ready after 5 minutes: <crash-looping>",
                Optional.empty(),
                Optional.of("#3"),
                Optional.empty(),
                java.time.Instant.parse("2026-11-23T13:00:00Z")));
        assertThat(notReady)
                .isEqualTo(":rotating_light: Rolled back checkout 1.4.1 in production: canary pods not ready after 5"
                        + " minutes: &lt;crash-looping&gt;, incident #3");
    }

    @Test
    void aRollbackBroadcastSetsOnlyWhatWasRolledBackInBoldNotTheReasonFromOutside() {
        // a reason from the cluster with Slack's marks in it (an image and a file name): inside the bold span, its
        // _ and * ended the span there and formatted the rest; out of it, it reads as written
        var reason = "canary pods not ready: ErrImagePull for registry.example/_shop/checkout:1.4.1 (see *_init.sh)";
        var broadcast = RollbackMessages.broadcast(new RollbackNotice(
                7,
                "checkout",
                "1.4.1",
                "production",
                Optional.empty(),
                List.of(),
                Optional.empty(),
                reason,
                Optional.empty(),
                Optional.of("#3"),
                Optional.empty(),
                java.time.Instant.parse("2026-11-23T13:00:00Z")));
        var section =
                (com.slack.api.model.block.SectionBlock) broadcast.blocks().getFirst();
        assertThat(section.getText().getText())
                .isEqualTo("*:rotating_light: Rolled back checkout 1.4.1 in production*: " + reason + ", incident #3");
        assertThat(broadcast.text())
                .isEqualTo(":rotating_light: Rolled back checkout 1.4.1 in production: " + reason + ", incident #3");
    }

    @Test
    void peopleCannotSmuggleMentionsThroughFreeText() {
        var m = DeployMessages.parent(deploy("checkout", "<!channel> look"));
        assertThat(BlockKitLimits.json(m.blocks())).doesNotContain("<!channel>").contains("&lt;!channel&gt;");
        assertThat(Map.of()).isEmpty();
    }
}

package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.pipeline.CrossReplicaRace.Answer;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Replica;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Storage;
import io.harbormaster.bot.slack.DeployDesk.DecisionOutcome;
import io.harbormaster.bot.slack.SlackUser;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, desk, audit log and connection pool, over one database: the two requests
 * of a double click (or two approvers' clicks) reach different replicas at the same moment. Whatever the timing, a
 * decision is recorded, audited and acted on once, and no click is answered with an error.
 */
class CrossReplicaApprovalTest {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout: {namespace: shop, approvers: shop-approvers}
              payments: {namespace: shop, approvers: shop-approvers, approvals: 2}
            """;
    static final int ROUNDS = 50;
    static final SlackUser ANN = new SlackUser("U0ANN", "ann");
    static final SlackUser BOB = new SlackUser("U0BOB", "bob");

    @TempDir
    Path dir;

    /** Each click's first look at the approvals waits for the other click's, on the other replica, in a held round. */
    final CrossReplicaRace replicas = new CrossReplicaRace(CONFIG, (method, args) -> method.equals("approvals"));

    int versions;

    /** A new escalated deploy of {@code service}, waiting for approval. */
    long awaitingApproval(Replica a, String service) {
        var version = "1.3." + versions++;
        a.f.announce(service, version, PipelineFixture.MIGRATION);
        var request = PipelineFixture.slackRequest("slack:" + service + ":" + version, service, version, "U0DEV");
        long id = PipelineFixture.acceptedId(a.engine, request);
        assertThat(a.engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        return id;
    }

    /** Both clicks released at once, one on each replica; {@code held}: made to look at the approvals together. */
    List<Answer<DecisionOutcome>> race(
            boolean held,
            Replica a,
            SlackUser onA,
            Approval.Decision choiceA,
            Replica b,
            SlackUser onB,
            Approval.Decision choiceB,
            long id)
            throws Exception {
        return replicas.race(
                held, () -> a.desk.decide(id, onA, choiceA, "key-a"), () -> b.desk.decide(id, onB, choiceB, "key-b"));
    }

    static List<String> approvalAudit(Replica r, long id) {
        var actions = new ArrayList<String>();
        r.f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
            if (e.record().action().startsWith("approval.")) {
                actions.add(e.record().action() + " " + e.record().actor());
            }
        });
        return actions;
    }

    static long settled(Replica r, long id) {
        return r.f.deploys.transitions(id).stream()
                .filter(t -> t.from() == DeployState.AWAITING_APPROVAL)
                .count();
    }

    static long countedNotices(Replica a, Replica b, long id) {
        return CrossReplicaRace.notices(a, b)
                .filter(n -> n instanceof DeployNotice.ApprovalCounted c
                        && c.deploy().id() == id)
                .count();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aDoubleClickOnTwoReplicasIsCountedAuditedAndActedOnOnceAndTheSecondClickIsToldItCameBefore(Storage storage)
            throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            for (int i = 0; i < ROUNDS; i++) {
                boolean held = i % 2 == 0;
                var choice = (i / 2) % 2 == 0 ? Approval.Decision.APPROVE : Approval.Decision.REJECT;
                long id = awaitingApproval(a, "checkout");
                var clicks = race(held, a, ANN, choice, b, ANN, choice, id);
                var what = "round " + i + " (" + choice + (held ? ", held together" : "") + "): " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Answer::value).toList();
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Settled s && s.decision() == choice)
                        .hasSize(1);
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Duplicate)
                        .singleElement()
                        .asString()
                        .contains("You already " + (choice == Approval.Decision.APPROVE ? "approved" : "rejected"))
                        .contains("your first decision stands");
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(1);
                assertThat(approvalAudit(a, id)).as(what).containsExactly("approval.counted U0ANN");
                assertThat(settled(a, id))
                        .as(what + ": the deploy was settled once")
                        .isEqualTo(1);
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(1);
                var state = a.f.deploys.find(id).orElseThrow().state();
                if (choice == Approval.Decision.REJECT) {
                    assertThat(state).as(what).isEqualTo(DeployState.REJECTED);
                } else {
                    assertThat(state).as(what).isNotIn(DeployState.AWAITING_APPROVAL, DeployState.REJECTED);
                }
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void twoApproversOnTwoReplicasAtOnceApproveADeployThatNeedsTwoOnce(Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = awaitingApproval(a, "payments");
                var clicks = race(i % 2 == 0, a, ANN, Approval.Decision.APPROVE, b, BOB, Approval.Decision.APPROVE, id);
                var what = "round " + i + ": " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Answer::value).toList();
                // one click is counted as the first of two, the other completes the approval: never both first
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Recorded)
                        .hasSize(1);
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o ->
                                o instanceof DecisionOutcome.Settled s && s.decision() == Approval.Decision.APPROVE)
                        .hasSize(1);
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(2);
                assertThat(approvalAudit(a, id))
                        .as(what)
                        .containsExactlyInAnyOrder("approval.counted U0ANN", "approval.counted U0BOB");
                assertThat(settled(a, id)).as(what).isEqualTo(1);
                assertThat(a.f.deploys.transitions(id))
                        .as(what)
                        .filteredOn(t -> t.to() == DeployState.APPROVED)
                        .singleElement()
                        .extracting(io.harbormaster.engine.rollout.Transition::reason)
                        .isEqualTo("2 approvals of 2 needed");
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(2);
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void anApprovalAndARejectionOnTwoReplicasAtOnceSettleTheDeployOnce(Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = awaitingApproval(a, "checkout");
                var clicks = race(i % 2 == 0, a, ANN, Approval.Decision.APPROVE, b, BOB, Approval.Decision.REJECT, id);
                var what = "round " + i + ": " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Answer::value).toList();
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Settled)
                        .hasSize(1);
                // the click that came second finds the deploy decided: it is told so, and nothing of it is kept
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Refused)
                        .singleElement()
                        .asString()
                        .contains("no longer waiting for a decision");
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(1);
                var winner = a.f.deploys.approvals(id).getFirst();
                assertThat(approvalAudit(a, id)).as(what).containsExactly("approval.counted " + winner.approver());
                assertThat(settled(a, id)).as(what).isEqualTo(1);
                var state = a.f.deploys.find(id).orElseThrow().state();
                if (winner.decision() == Approval.Decision.REJECT) {
                    assertThat(state).as(what).isEqualTo(DeployState.REJECTED);
                } else {
                    assertThat(state).as(what).isNotIn(DeployState.AWAITING_APPROVAL, DeployState.REJECTED);
                }
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(1);
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }
}

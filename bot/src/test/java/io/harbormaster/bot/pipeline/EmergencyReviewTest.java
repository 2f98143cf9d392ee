package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.ReviewDecision;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An emergency deploy skips the approval wait and is reviewed after the fact: once it has ended, by a member of its
 * service's approvers who neither requested it nor wrote the change, once, with the review audited before anything
 * else happens.
 */
class EmergencyReviewTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;
    /** What was true when the deploy.reviewed entry was appended: whether the review was stored, and told. */
    final List<String> whenAudited = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        db = Database.open(
                DatabaseConfig.of("jdbc:h2:mem:emergency-review" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
        f.auditLog = watching(f.audit);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The audit log, noting at each deploy.reviewed entry whether the review was already stored or told. */
    AuditLog watching(AuditLog log) {
        return (AuditLog) Proxy.newProxyInstance(
                AuditLog.class.getClassLoader(), new Class<?>[] {AuditLog.class}, (proxy, method, args) -> {
                    if (method.getName().equals("append")
                            && args[0] instanceof AuditRecord r
                            && r.action().equals("deploy.reviewed")) {
                        long id = Long.parseLong(r.deployId());
                        whenAudited.add("stored=" + f.deploys.review(id).isPresent() + " told="
                                + f.notices.stream().anyMatch(n -> n instanceof DeployNotice.Reviewed));
                    }
                    try {
                        return method.invoke(log, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** checkout 1.1.0, written by {@code author}, deployed by U0DEV with --emergency; its id. */
    long emergency(DeployPipeline engine, String author) {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE.replace("U0DEV", author));
        return PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:e1", "checkout", "1.1.0", "U0DEV", true));
    }

    /** The same, run to its end, which must be a promotion. */
    long promotedEmergency(DeployPipeline engine, String author) {
        long id = emergency(engine, author);
        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(30)).state()).isEqualTo(DeployState.PROMOTED);
        return id;
    }

    List<AuditRecord> audited(long deployId, String action) {
        return f.audited(deployId, action);
    }

    List<Long> awaiting() {
        return f.deploys.awaitingReview().stream().map(Deploy::id).toList();
    }

    @Test
    void anApproverReviewsAnEndedEmergencyDeployOnceWithTheAuditEntryWrittenBeforeAnythingElse() throws Exception {
        var engine = f.engine("engine-a");
        long id = promotedEmergency(engine, "U0CAT");
        assertThat(audited(id, "deploy.routed").getFirst().reasoningJson()).contains("\"needs_review\":true");
        // the review is asked for once, after the outcome was told
        var kinds = f.notices.stream()
                .filter(n -> n.deploy().id() == id)
                .map(n -> n.getClass().getSimpleName())
                .toList();
        assertThat(kinds).containsSubsequence("Promoted", "ReviewDue");
        assertThat(kinds).filteredOn("ReviewDue"::equals).hasSize(1);
        assertThat(awaiting()).containsExactly(id);
        var endedAt = f.deploys.find(id).orElseThrow().updatedAt();

        f.clock.advance(Duration.ofMinutes(30));
        var decision = engine.review(id, "U0ANN");

        var recorded = (ReviewDecision.Recorded) decision;
        assertThat(recorded.review().reviewer()).isEqualTo("U0ANN");
        assertThat(recorded.review().reviewedAt()).isEqualTo(endedAt.plus(Duration.ofMinutes(30)));
        assertThat(whenAudited).containsExactly("stored=false told=false");
        var entry = audited(id, "deploy.reviewed").getFirst();
        assertThat(entry.actor()).isEqualTo("U0ANN");
        assertThat(entry.decision()).isEqualTo("reviewed");
        assertThat(entry.service()).isEqualTo("checkout");
        assertThat(entry.version()).isEqualTo("1.1.0");
        var reasoning = new ObjectMapper().readTree(entry.reasoningJson());
        assertThat(reasoning.path("reviewer").asText()).isEqualTo("U0ANN");
        assertThat(reasoning.path("requester").asText()).isEqualTo("U0DEV");
        assertThat(reasoning.path("outcome").asText()).isEqualTo("promoted");
        assertThat(reasoning.path("after_end_s").asLong()).isEqualTo(1800);
        assertThat(reasoning.path("after_request_s").asLong()).isGreaterThan(1800);
        assertThat(reasoning.path("ended_at").asText()).isEqualTo(endedAt.toString());
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.Reviewed)
                .singleElement()
                .satisfies(n -> assertThat(((DeployNotice.Reviewed) n).review().reviewer())
                        .isEqualTo("U0ANN"));
        assertThat(awaiting()).isEmpty();
        assertThat(f.deploys.review(id)).contains(recorded.review());

        // the other approver, later: told who reviewed it; nothing new recorded or audited
        f.clock.advance(Duration.ofMinutes(5));
        var again = engine.review(id, "U0BOB");
        assertThat(((ReviewDecision.AlreadyReviewed) again).first()).isEqualTo(recorded.review());
        assertThat(engine.review(id, "U0ANN")).isInstanceOf(ReviewDecision.AlreadyReviewed.class);
        assertThat(audited(id, "deploy.reviewed")).hasSize(1);
        assertThat(audited(id, "review.refused")).isEmpty();
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.Reviewed)
                .hasSize(1);
    }

    @Test
    void theRequesterTheAuthorAndSomeoneOutsideTheApproversAreRefusedAndEachRefusalIsAudited() {
        var engine = f.engine("engine-a");
        long id = promotedEmergency(engine, "U0CAT"); // U0CAT wrote it and is an approver; U0DEV requested it

        var author = engine.review(id, "U0CAT");
        var requester = engine.review(id, "U0DEV");
        var outsider = engine.review(id, "U0ZED");

        assertThat(((ReviewDecision.Refused) author).reason())
                .startsWith("you wrote this change, so you cannot review it; ask a member of shop-approvers");
        assertThat(((ReviewDecision.Refused) requester).reason())
                .startsWith("you requested this deploy, so you cannot review it; ask a member of shop-approvers");
        assertThat(((ReviewDecision.Refused) outsider).reason())
                .isEqualTo("only members of shop-approvers may review this deploy");
        assertThat(audited(id, "review.refused"))
                .extracting(AuditRecord::actor)
                .containsExactly("U0CAT", "U0DEV", "U0ZED");
        assertThat(audited(id, "review.refused").getFirst().reasoningJson())
                .contains("\"author\":\"U0CAT\"", "\"requester\":\"U0DEV\"");
        assertThat(audited(id, "deploy.reviewed")).isEmpty();
        assertThat(f.deploys.review(id)).isEmpty();
        assertThat(awaiting()).containsExactly(id);
    }

    @Test
    void onlyAnEmergencyDeployIsReviewedAndOnlyOnceItHasEnded() {
        var engine = f.engine("engine-a");
        long id = emergency(engine, "U0CAT");
        for (int i = 0; i < 10 && f.deploys.find(id).orElseThrow().state() != DeployState.CANARY; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            engine.advance(id);
        }
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);

        var inFlight = engine.review(id, "U0ANN");
        assertThat(((ReviewDecision.NotReviewable) inFlight).reason())
                .contains("has not ended yet (it is canary)")
                .contains("reviewed once it has ended");
        assertThat(awaiting())
                .as("an emergency deploy in flight is listed once it ends")
                .isEmpty();

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(30)).state()).isEqualTo(DeployState.PROMOTED);
        f.announce("payments", "2.0.0", PipelineFixture.SMALL_CHANGE);
        long normal = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:n1", "payments", "2.0.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, normal, Duration.ofMinutes(30)).state())
                .isEqualTo(DeployState.PROMOTED);
        var notEmergency = engine.review(normal, "U0ANN");
        assertThat(((ReviewDecision.NotReviewable) notEmergency).reason()).contains("was not an emergency deploy");
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.ReviewDue)
                .extracting(n -> n.deploy().id())
                .containsExactly(id);
        assertThat(((ReviewDecision.NotReviewable) engine.review(9999, "U0ANN")).reason())
                .contains("there is no deploy #9999: /deploy status lists the emergency deploys awaiting review");
        assertThat(awaiting()).containsExactly(id);
        assertThat(audited(id, "deploy.reviewed")).isEmpty();
        assertThat(audited(normal, "deploy.reviewed")).isEmpty();
        assertThat(audited(id, "review.refused")).isEmpty();
    }

    /** The fixture's configuration without checkout, with {@code groups} added (checkout left harbormaster.yml). */
    static io.harbormaster.engine.policy.ServiceCatalog withoutCheckout(String groups) {
        return io.harbormaster.bot.config.ConfigLoader.parse(
                        "test.yml",
                        PipelineFixture.CONFIG
                                .replaceAll("(?ms)^  checkout:.*?(?=^  payments:)", "")
                                .replace("groups:\n", "groups:\n" + groups))
                .catalog();
    }

    /** The emergency deploys /audit decision=emergency names as not reviewed, as an auditor (U0AUD) asks. */
    List<String> unreviewedInTheAuditLog() {
        var catalog = f.catalog;
        var outcome = new io.harbormaster.bot.slack.AuditLogDesk(
                        f.audit,
                        50,
                        () -> catalog,
                        (q, who) -> java.util.Optional.empty(),
                        f.clock,
                        "engine-test",
                        () -> "policy-test")
                .query(
                        io.harbormaster.engine.audit.AuditQuery.all().withDecision("emergency"),
                        new io.harbormaster.bot.slack.SlackUser("U0AUD", "aud"),
                        "decision=emergency");
        return ((io.harbormaster.bot.slack.AuditDesk.AuditOutcome.Summary) outcome).unreviewed();
    }

    @Test
    void anEmergencyDeployOfAServiceNoLongerConfiguredIsReviewedByTheAuditorGroup() throws Exception {
        var engine = f.engine("engine-a");
        long id = promotedEmergency(engine, "U0CAT"); // requested by U0DEV, who is an auditor too below
        f.catalog = withoutCheckout("  auditors: [U0AUD, U0DEV]\n");
        assertThat(unreviewedInTheAuditLog()).containsExactly("deploy " + id + " (checkout 1.1.0)");

        var approver = engine.review(id, "U0ANN"); // was one of checkout's approvers
        var requester = engine.review(id, "U0DEV");

        assertThat(((ReviewDecision.Refused) approver).reason())
                .isEqualTo("only members of auditors may review this deploy (checkout is no longer in"
                        + " harbormaster.yml, so the auditor group, audit.auditors, reviews its deploys)");
        assertThat(((ReviewDecision.Refused) requester).reason())
                .startsWith("you requested this deploy, so you cannot review it; ask a member of auditors (checkout"
                        + " is no longer in harbormaster.yml");
        assertThat(audited(id, "review.refused")).extracting(AuditRecord::actor).containsExactly("U0ANN", "U0DEV");
        assertThat(audited(id, "review.refused").getFirst().reasoningJson()).contains("no longer in harbormaster.yml");
        assertThat(awaiting()).containsExactly(id);

        var auditor = engine.review(id, "U0AUD");

        assertThat(((ReviewDecision.Recorded) auditor).review().reviewer()).isEqualTo("U0AUD");
        var reasoning = new ObjectMapper()
                .readTree(audited(id, "deploy.reviewed").getFirst().reasoningJson());
        assertThat(reasoning.path("reviewer_group").asText()).isEqualTo("auditors");
        assertThat(awaiting()).as("no longer listed by /deploy status").isEmpty();
        assertThat(unreviewedInTheAuditLog())
                .as("nor by /audit decision=emergency")
                .isEmpty();
    }

    @Test
    void withoutAnAuditorGroupTheRefusalOfADeployOfAServiceNoLongerConfiguredSaysWhatToDo() {
        var engine = f.engine("engine-a");
        long id = promotedEmergency(engine, "U0CAT");
        f.catalog = withoutCheckout("");

        var refused = engine.review(id, "U0ANN");

        assertThat(((ReviewDecision.Refused) refused).reason())
                .isEqualTo("only members of auditors may review this deploy (checkout is no longer in"
                        + " harbormaster.yml, so the auditor group, audit.auditors, reviews its deploys; no group"
                        + " auditors is defined under groups: define it, or put checkout back with its approvers)");
        assertThat(awaiting()).containsExactly(id);
        assertThat(audited(id, "deploy.reviewed")).isEmpty();
    }

    @Test
    void theApproversOfAConfiguredServiceReviewItAndTheAuditorsDoNot() {
        var engine = f.engine("engine-a");
        long id = promotedEmergency(engine, "U0CAT");
        f.catalog = io.harbormaster.bot.config.ConfigLoader.parse(
                        "test.yml", PipelineFixture.CONFIG.replace("groups:\n", "groups:\n  auditors: [U0AUD]\n"))
                .catalog();

        assertThat(((ReviewDecision.Refused) engine.review(id, "U0AUD")).reason())
                .isEqualTo("only members of shop-approvers may review this deploy");
        assertThat(engine.review(id, "U0ANN")).isInstanceOf(ReviewDecision.Recorded.class);
        var reasoning = audited(id, "deploy.reviewed").getFirst().reasoningJson();
        assertThat(reasoning).contains("\"reviewer_group\":\"shop-approvers\"");
    }

    @Test
    void anEmergencyDeployThatPreflightStoppedNeedsItsReviewToo() {
        var engine = f.engine("engine-a");
        f.policies.lock(new ServiceLock("checkout", "incident 42", "U0BOB", f.clock.instant()));
        long id = emergency(engine, "U0CAT");

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(5)).state()).isEqualTo(DeployState.FAILED);

        var kinds = f.notices.stream()
                .filter(n -> n.deploy().id() == id)
                .map(n -> n.getClass().getSimpleName())
                .toList();
        assertThat(kinds).containsSubsequence("Failed", "ReviewDue");
        assertThat(awaiting()).containsExactly(id);
        assertThat(engine.review(id, "U0ANN")).isInstanceOf(ReviewDecision.Recorded.class);
        assertThat(awaiting()).isEmpty();
    }

    @Test
    void anEmergencyDeployStoppedBeforeItsRoutingSkippedNothingAndNeedsNoReview() {
        var engine = f.engine("engine-a");
        f.announce(
                "checkout",
                "1.1.0",
                PipelineFixture.SMALL_CHANGE.replace("\"nf\":1", "\"nf\":0")); // no file touched: cannot be scored
        long id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:e-unscored", "checkout", "1.1.0", "U0DEV", true));

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(5)).state()).isEqualTo(DeployState.FAILED);

        assertThat(f.deploys.transitions(id).getLast().reason()).contains("cannot be scored");
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.ReviewDue)
                .isEmpty();
        assertThat(awaiting()).isEmpty();
        assertThat(((ReviewDecision.NotReviewable) engine.review(id, "U0ANN")).reason())
                .contains("stopped before it was routed", "needs no review");
        assertThat(audited(id, "deploy.reviewed")).isEmpty();
    }

    @Test
    void theDeskLooksUpOnlyTheReviewsItShowsAndCountsTheRest() {
        var engine = f.engine("engine-a");
        for (int i = 0; i < 12; i++) {
            var service = i % 3 == 0 ? "payments" : "checkout";
            var d = f.deploys
                    .intake(PipelineFixture.slackRequest("slack:w" + i, service, "1.0." + i, "U0DEV", true))
                    .deploy();
            f.clock.advance(Duration.ofSeconds(1));
            var preflight = f.deploys.transition(
                    d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "emergency", f.clock.instant());
            f.deploys.transition(
                    d.id(), preflight.revision(), DeployState.FAILED, 0, "engine", "blocked", f.clock.instant());
        }
        var desk = new io.harbormaster.bot.slack.PipelineDesk(
                engine,
                f.deploys,
                f.policies,
                f.audit,
                new io.harbormaster.bot.slack.DeployThreads(new io.harbormaster.storage.slack.JooqSlackThreads(f.db)),
                io.harbormaster.engine.rollout.PipelineSettings.defaults("engine-a"),
                deployId -> {},
                f.clock);

        var all = desk.awaitingReview(java.util.Optional.empty(), 10);
        var payments = desk.awaitingReview(java.util.Optional.of("payments"), 2);

        assertThat(all.total()).isEqualTo(12);
        assertThat(all.first())
                .extracting(w -> w.deploy().version())
                .as("the ten longest waiting, oldest first")
                .containsExactly(
                        "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8", "1.0.9");
        assertThat(payments.total()).isEqualTo(4);
        assertThat(payments.first()).extracting(w -> w.deploy().version()).containsExactly("1.0.0", "1.0.3");
    }

    @Test
    void twoApproversReviewingAtOnceOnTwoReplicasRecordAndAuditOneReview() throws Exception {
        var a = f.engine("engine-a");
        var b = f.engine("engine-b");
        long id = promotedEmergency(a, "U0CAT");
        var go = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(2)) {
            Future<ReviewDecision> ann = pool.submit(() -> {
                go.await();
                return a.review(id, "U0ANN");
            });
            Future<ReviewDecision> bob = pool.submit(() -> {
                go.await();
                return b.review(id, "U0BOB");
            });
            go.countDown();
            var outcomes = List.of(ann.get(), bob.get());
            assertThat(outcomes)
                    .filteredOn(o -> o instanceof ReviewDecision.Recorded)
                    .hasSize(1);
            assertThat(outcomes)
                    .filteredOn(o -> o instanceof ReviewDecision.AlreadyReviewed)
                    .hasSize(1);
            var first = outcomes.stream()
                    .filter(o -> o instanceof ReviewDecision.Recorded)
                    .map(o -> ((ReviewDecision.Recorded) o).review())
                    .findFirst()
                    .orElseThrow();
            assertThat(f.deploys.review(id)).contains(first);
            assertThat(audited(id, "deploy.reviewed"))
                    .singleElement()
                    .extracting(AuditRecord::actor)
                    .isEqualTo(first.reviewer());
        }
    }
}

package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.jooq.Tables.DEPLOY_EVENT_OUTBOX;
import static io.harbormaster.storage.pipeline.DeployStoreTest.T0;
import static io.harbormaster.storage.pipeline.DeployStoreTest.count;
import static io.harbormaster.storage.pipeline.DeployStoreTest.request;
import static io.harbormaster.storage.pipeline.DeployStoreTest.settleAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.ApprovalOutcome;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.EventOutbox;
import io.harbormaster.engine.rollout.StaleRevision;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The outbox of deploy.events: each change's event recorded in the change's transaction, on H2 and PostgreSQL. */
class EventOutboxStoreTest {

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static List<DeployEvent> events(EventOutbox outbox) {
        return outbox.pending(1000).stream().map(p -> p.event().orElseThrow()).toList();
    }

    /** The events the deploy's changes tell, as the store has them: its request, then each transition. */
    static List<DeployEvent> told(JooqDeployStore store, Deploy first, List<Deploy> after) {
        var out = new ArrayList<DeployEvent>();
        out.add(DeployEvent.requested(first, store.request(first.id()).orElseThrow()));
        var transitions = store.transitions(first.id());
        for (int i = 0; i < transitions.size(); i++) {
            out.add(DeployEvent.of(after.get(i), transitions.get(i)));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void everyRequestAndTransitionLeavesItsEventInTheOutboxAsItWasCommitted(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = JooqDeployStore.withEventOutbox(db);
            var outbox = new JooqEventOutbox(db);
            var d = store.intake(request("k1", "checkout")).deploy();
            // a time finer than the database keeps: the event tells the transition as stored
            var preflight = store.transition(
                    d.id(),
                    d.revision(),
                    DeployState.PREFLIGHT,
                    0,
                    "engine",
                    "low risk",
                    T0.plusSeconds(2).plusNanos(123_456_789));
            var canary = store.transition(
                    d.id(),
                    preflight.revision(),
                    DeployState.CANARY,
                    1,
                    "engine",
                    "preflight passed",
                    T0.plusSeconds(3));
            // a stale writer changes nothing, and tells nothing
            assertThatThrownBy(() -> store.transition(
                            d.id(), preflight.revision(), DeployState.FAILED, 1, "engine-b", "x", T0.plusSeconds(4)))
                    .isInstanceOf(StaleRevision.class);
            // a redelivered request creates nothing, and tells nothing
            store.intake(request("k1", "checkout"));

            var events = events(outbox);

            assertThat(events).isEqualTo(told(store, d, List.of(preflight, canary)));
            assertThat(events)
                    .extracting(e -> e.sequence() + ":"
                            + e.from().map(DeployState::name).orElse("-") + "->" + e.to() + "@" + e.step())
                    .containsExactly("0:-->REQUESTED@0", "1:REQUESTED->PREFLIGHT@0", "2:PREFLIGHT->CANARY@1");
            assertThat(events.getFirst().actor()).isEqualTo("U123");
            assertThat(events.getFirst().reason()).isEqualTo("requested from slack");
            assertThat(outbox.pendingCount()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theDecisionThatSettlesADeployLeavesTheApproversTransitionInTheOutbox(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = JooqDeployStore.withEventOutbox(db);
            var outbox = new JooqEventOutbox(db);
            long id = DeployStoreTest.awaiting(store, "k1");
            var approve = new Approval(id, "U-alice", Approval.Decision.APPROVE, "", T0.plusSeconds(5));

            var recorded = (ApprovalOutcome.Recorded) store.recordDecision(approve, settleAt(1), () -> {});

            var last = events(outbox).getLast();
            assertThat(last)
                    .isEqualTo(
                            DeployEvent.of(recorded.deploy(), recorded.settled().orElseThrow()));
            assertThat(last.to()).isEqualTo(DeployState.APPROVED);
            assertThat(last.actor()).isEqualTo("U-alice");
            assertThat(events(outbox)).extracting(DeployEvent::sequence).containsExactly(0, 1, 2);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aChangeWhoseEventCannotBeRecordedIsNotCommittedEither(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = JooqDeployStore.withEventOutbox(db);
            var d = store.intake(request("k1", "checkout")).deploy();
            // an event in the place of the deploy's first transition's, put there behind the store's back
            db.dsl()
                    .insertInto(DEPLOY_EVENT_OUTBOX)
                    .set(DEPLOY_EVENT_OUTBOX.DEPLOY_ID, d.id())
                    .set(DEPLOY_EVENT_OUTBOX.ORDINAL, 1)
                    .set(DEPLOY_EVENT_OUTBOX.PAYLOAD, "{}")
                    .execute();

            assertThatThrownBy(() ->
                            store.transition(d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", T0))
                    .isInstanceOf(DataAccessException.class);

            assertThat(store.find(d.id()).orElseThrow().state()).isEqualTo(DeployState.REQUESTED);
            assertThat(store.transitions(d.id())).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aStoreWithoutAnOutboxRecordsNoEvents(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = store.intake(request("k1", "checkout")).deploy();
            store.transition(d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", T0);

            assertThat(count(db, "deploy_event_outbox")).isZero();
            assertThat(new JooqEventOutbox(db).pending(10)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void publishedEventsAreNoLongerPendingAndAreDeletedOnceTheirKeepingIsOver(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = JooqDeployStore.withEventOutbox(db);
            var outbox = new JooqEventOutbox(db);
            for (var key : List.of("k1", "k2", "k3")) {
                var d = store.intake(request(key, "checkout")).deploy();
                store.transition(d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", T0);
            }
            var pending = outbox.pending(10);
            assertThat(pending).extracting(EventOutbox.Pending::id).isSorted().doesNotHaveDuplicates();
            assertThat(outbox.pending(4)).isEqualTo(pending.subList(0, 4));

            outbox.published(List.of(pending.get(0).id(), pending.get(1).id()), T0.plusSeconds(10));
            outbox.published(List.of(pending.get(2).id()), T0.plusSeconds(20));
            outbox.published(List.of(pending.get(0).id()), T0.plusSeconds(99)); // published already: stays as it was

            assertThat(outbox.pending(10)).isEqualTo(pending.subList(3, 6));
            assertThat(outbox.pendingCount()).isEqualTo(3);
            assertThat(outbox.forgetPublished(T0.plusSeconds(15))).isEqualTo(2);
            assertThat(count(db, "deploy_event_outbox")).isEqualTo(4);
            assertThat(outbox.forgetPublished(T0.plusSeconds(3600))).isEqualTo(1);
            assertThat(outbox.pending(10))
                    .as("pending events are never deleted")
                    .isEqualTo(pending.subList(3, 6));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aRowThisVersionCannotReadComesBackAsUnreadableWithItsDeployAndHidesNoOther(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = JooqDeployStore.withEventOutbox(db);
            var outbox = new JooqEventOutbox(db);
            var a = store.intake(request("k1", "checkout")).deploy();
            var b = store.intake(request("k2", "payments")).deploy();
            var before = outbox.pending(10);
            // as a newer version would write it (a state this one does not know), and as a hand edit would leave it
            db.dsl()
                    .update(DEPLOY_EVENT_OUTBOX)
                    .set(
                            DEPLOY_EVENT_OUTBOX.PAYLOAD,
                            DEPLOY_EVENT_OUTBOX.PAYLOAD.replace("\"requested\"", "\"reverting\""))
                    .where(DEPLOY_EVENT_OUTBOX.DEPLOY_ID.eq(a.id()))
                    .execute();
            store.transition(b.id(), b.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", T0);
            db.dsl()
                    .update(DEPLOY_EVENT_OUTBOX)
                    .set(DEPLOY_EVENT_OUTBOX.PAYLOAD, "{not json")
                    .where(DEPLOY_EVENT_OUTBOX.DEPLOY_ID.eq(b.id()))
                    .and(DEPLOY_EVENT_OUTBOX.ORDINAL.eq(1))
                    .execute();

            var pending = outbox.pending(10);

            assertThat(pending).extracting(EventOutbox.Pending::id).hasSize(3).isSorted();
            assertThat(pending.get(0).deployId()).isEqualTo(a.id());
            assertThat(pending.get(0).event()).isEmpty();
            assertThat(pending.get(0).problem()).contains("unknown state \"reverting\"");
            assertThat(pending.get(1)).isEqualTo(before.get(1));
            assertThat(pending.get(2).deployId()).isEqualTo(b.id());
            assertThat(pending.get(2).event()).isEmpty();
            assertThat(pending.get(2).problem()).contains("not JSON");
            assertThat(outbox.pendingCount()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void oneReplicaPublishesAtATimeUntilItsLeaseRunsOutOrItGivesItUp(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var outbox = new JooqEventOutbox(db);
            var minute = T0.plusSeconds(60);
            assertThat(outbox.tryLead("a", T0, minute)).isTrue();
            assertThat(outbox.tryLead("b", T0.plusSeconds(10), minute)).isFalse();
            assertThat(outbox.tryLead("a", T0.plusSeconds(10), minute.plusSeconds(10)))
                    .isTrue();
            // a stops renewing: once its lease ran out, b takes over
            assertThat(outbox.tryLead("b", minute.plusSeconds(11), minute.plusSeconds(71)))
                    .isTrue();
            assertThat(outbox.tryLead("a", minute.plusSeconds(12), minute.plusSeconds(72)))
                    .isFalse();
            outbox.releaseLead("a"); // not the holder: nothing happens
            assertThat(outbox.tryLead("a", minute.plusSeconds(13), minute.plusSeconds(73)))
                    .isFalse();
            outbox.releaseLead("b");
            assertThat(outbox.tryLead("a", minute.plusSeconds(14), minute.plusSeconds(74)))
                    .isTrue();
            assertThat(count(db, "event_publisher")).isEqualTo(1);
        }
    }
}

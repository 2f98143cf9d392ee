package io.harbormaster.bot.pipeline;

import static io.harbormaster.engine.adapters.kafka.KafkaBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.engine.adapters.kafka.KafkaBroker;
import io.harbormaster.engine.adapters.kafka.KafkaConfig;
import io.harbormaster.engine.adapters.kafka.KafkaDeployEvents;
import io.harbormaster.engine.intake.RetryPolicy;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEventJson;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.EventRelay;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import io.harbormaster.storage.pipeline.JooqEventOutbox;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * deploy.events through the database's outbox to a real Kafka broker: a broker that is down delays events and loses
 * none, a restarted bot sends what it left, and two replicas on one database do not both send an event.
 */
class DeployEventsOutboxTest {
    static final AtomicInteger NAMES = new AtomicInteger();

    static KafkaBroker kafka;
    static Vertx vertx;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A new events topic of three partitions. */
    static String newTopic() throws Exception {
        var topic = "deploy.events.t" + NAMES.incrementAndGet();
        kafka.createTopic(topic, 3);
        return topic;
    }

    /**
     * The bot's Kafka transport for {@code topic}, with the shortest send timeout the bot allows (a send the brokers do
     * not take fails after 35 s) and 10 s instead of 60 s for a send that waits for the topic's metadata.
     */
    static KafkaDeployEvents transport(String topic, String clientId) {
        var defaults = KafkaConfig.of(kafka.bootstrapServers());
        return new KafkaDeployEvents(
                vertx,
                new KafkaConfig(
                        defaults.bootstrapServers(),
                        clientId,
                        defaults.groupId(),
                        defaults.requestsTopic(),
                        defaults.deadLetterTopic(),
                        topic,
                        Map.of("max.block.ms", "10000"),
                        RetryPolicy.DEFAULT,
                        defaults.pollTimeout(),
                        defaults.maxPollRecords(),
                        Duration.ofSeconds(1),
                        defaults.shutdownTimeout()));
    }

    /** A relay as the bot runs it, looking at the outbox every 100 ms and retrying after 200 ms up to 1 s apart. */
    static EventRelay relay(Database db, DeployEvents transport, String owner) {
        return new EventRelay(
                new JooqEventOutbox(db),
                transport,
                Clock.systemUTC(),
                EventRelay.Settings.defaults(owner)
                        .withPoll(Duration.ofMillis(100))
                        .withRetries(Duration.ofMillis(200), Duration.ofSeconds(1)));
    }

    /** The events on {@code topic}, in the order of their partitions (one service's events share one). */
    static List<DeployEvent> arrived(String topic, int expected) {
        var records = kafka.readAll(topic, expected, Duration.ofSeconds(30));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            var event = DeployEventJson.fromJson(text(r.value()));
            assertThat(text(r.key())).as("record key").isEqualTo(event.service());
            assertThat(KafkaBroker.header(r, KafkaDeployEvents.CONTENT_TYPE_HEADER))
                    .isEqualTo(KafkaDeployEvents.CONTENT_TYPE);
        }
        return records.stream()
                .map(r -> DeployEventJson.fromJson(text(r.value())))
                .toList();
    }

    /** Events by deploy, each deploy's in the order given. */
    static Map<Long, List<DeployEvent>> byDeploy(List<DeployEvent> events) {
        var out = new LinkedHashMap<Long, List<DeployEvent>>();
        events.forEach(
                e -> out.computeIfAbsent(e.deployId(), id -> new ArrayList<>()).add(e));
        return out;
    }

    static void awaitSent(JooqEventOutbox outbox, Duration timeout) {
        Await.until("every event sent", timeout, () -> outbox.pendingCount() == 0);
    }

    static long deploy(PipelineFixture f, io.harbormaster.engine.rollout.DeployPipeline engine, String service) {
        var version = "1.1." + NAMES.incrementAndGet();
        f.announce(service, version, PipelineFixture.SMALL_CHANGE);
        return PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:" + version, service, version, "U0DEV"));
    }

    @Test
    void everyEventOfDeploysThatMovedWhileKafkaWasDownArrivesOnceItIsBackInOrderPerDeploy() throws Exception {
        var topic = newTopic();
        try (var db = Database.open(
                        DatabaseConfig.of("jdbc:h2:mem:outbox" + NAMES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
                var transport = transport(topic, "outbox-down");
                var relay = relay(db, transport, "engine-a")) {
            var f = new PipelineFixture(db);
            var engine = f.engine(PipelineSettings.defaults("engine-a"), JooqDeployStore.withEventOutbox(db));
            var outbox = new JooqEventOutbox(db);
            relay.start();
            long first = deploy(f, engine, "checkout");
            engine.advance(first);
            awaitSent(outbox, Duration.ofSeconds(30));
            int sentBefore = f.events.size();

            kafka.stopBroker();
            try {
                assertThat(f.runUntilDone(engine, first, Duration.ofMinutes(20)).state())
                        .isEqualTo(DeployState.PROMOTED);
                long second = deploy(f, engine, "payments");
                assertThat(f.runUntilDone(engine, second, Duration.ofMinutes(20))
                                .state())
                        .isEqualTo(DeployState.PROMOTED);
                // the send in flight fails once the producer gives up on it; the relay keeps the events and retries
                Await.until("a failed send", Duration.ofSeconds(90), () -> relay.failed() > 0);
                assertThat(outbox.pendingCount()).isEqualTo(f.events.size() - sentBefore);
                assertThat(relay.pending()).isPositive();
            } finally {
                kafka.restartBroker();
            }

            awaitSent(outbox, Duration.ofSeconds(90));
            var arrived = arrived(topic, f.events.size());
            assertThat(arrived).hasSameSizeAs(f.events);
            assertThat(byDeploy(arrived)).isEqualTo(byDeploy(f.events));
            assertThat(byDeploy(arrived)).hasSize(2);
            assertThat(relay.published()).isEqualTo(f.events.size());
        }
    }

    @Test
    void eventsRecordedButNotSentBeforeACrashAreSentByTheNextInstance() throws Exception {
        var topic = newTopic();
        var url = "jdbc:h2:file:" + dir.resolve("harbormaster");
        List<DeployEvent> told;
        try (var db = Database.open(DatabaseConfig.of(url))) {
            var f = new PipelineFixture(db);
            var engine = f.engine(PipelineSettings.defaults("engine-a"), JooqDeployStore.withEventOutbox(db));
            long id = deploy(f, engine, "checkout");
            assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);
            // it held the right to publish when it went down, and had sent nothing
            assertThat(new JooqEventOutbox(db)
                            .tryLead("engine-a", Instant.now(), Instant.now().plusSeconds(2)))
                    .isTrue();
            told = List.copyOf(f.events);
        }

        try (var db = Database.open(DatabaseConfig.of(url));
                var transport = transport(topic, "outbox-restart");
                var relay = relay(db, transport, "engine-b")) {
            var outbox = new JooqEventOutbox(db);
            assertThat(outbox.pendingCount()).isEqualTo(told.size());
            relay.start();

            awaitSent(outbox, Duration.ofSeconds(30));

            assertThat(arrived(topic, told.size())).isEqualTo(told);
            assertThat(relay.published()).isEqualTo(told.size());
        }
    }

    enum Storage {
        H2_FILE,
        POSTGRESQL
    }

    String url(Storage storage) {
        return switch (storage) {
            case H2_FILE -> "jdbc:h2:file:" + dir.resolve("shared");
            case POSTGRESQL -> TestDatabases.url(Database.Vendor.POSTGRESQL);
        };
    }

    /** Deploys of four services that each go requested, preflight, canary, promoted: 4 events each. */
    static void moveDeploys(List<JooqDeployStore> replicas, int from, int to) {
        var at = Instant.parse("2026-11-24T10:00:00Z");
        for (int i = from; i < to; i++) {
            var store = replicas.get(i % replicas.size());
            var d = store.intake(new DeployRequest(
                            "k" + i,
                            RequestSource.KAFKA,
                            "svc-" + (i % 4),
                            "1.0." + i,
                            "production",
                            "ci",
                            false,
                            "{}",
                            at))
                    .deploy();
            d = store.transition(d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", at);
            d = store.transition(d.id(), d.revision(), DeployState.CANARY, 1, "engine", "preflight passed", at);
            store.transition(d.id(), d.revision(), DeployState.PROMOTED, 1, "engine", "every step passed", at);
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void twoReplicasPublishingOneOutboxDoNotBothSendAnEventAndOneTakesOverWhenTheOtherStops(Storage storage)
            throws Exception {
        var topic = newTopic();
        var url = url(storage);
        try (var a = Database.open(DatabaseConfig.of(url));
                var b = Database.open(DatabaseConfig.of(url));
                var transportA = transport(topic, "replica-a");
                var transportB = transport(topic, "replica-b");
                var relayA = relay(a, transportA, "replica-a");
                var relayB = relay(b, transportB, "replica-b")) {
            var outbox = new JooqEventOutbox(a);
            relayA.start();
            relayB.start();
            var replicas = List.of(JooqDeployStore.withEventOutbox(a), JooqDeployStore.withEventOutbox(b));

            moveDeploys(replicas, 0, 20);
            awaitSent(outbox, Duration.ofSeconds(30));
            assertThat(List.of(relayA.published(), relayB.published()))
                    .as("events published by replica a and b")
                    .containsExactlyInAnyOrder(80L, 0L);
            var leader = relayA.published() > 0 ? relayA : relayB;
            var other = leader == relayA ? relayB : relayA;
            leader.close(); // gives the right to publish up: the other replica takes over at once
            moveDeploys(replicas, 20, 40);
            awaitSent(outbox, Duration.ofSeconds(30));

            var arrived = arrived(topic, 160);
            assertThat(arrived).hasSize(160);
            assertThat(arrived)
                    .extracting(e -> e.deployId() + "/" + e.sequence())
                    .doesNotHaveDuplicates();
            assertThat(byDeploy(arrived).values()).hasSize(40).allSatisfy(events -> assertThat(events)
                    .extracting(DeployEvent::sequence)
                    .containsExactly(0, 1, 2, 3));
            assertThat(other.published()).isEqualTo(80);
        }
    }

    @Test
    void aSendThatFailsHoldsBackTheLaterEventsOfItsServiceButNotThoseOfOthers() throws Exception {
        try (var db = Database.open(
                DatabaseConfig.of("jdbc:h2:mem:outbox" + NAMES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"))) {
            var store = JooqDeployStore.withEventOutbox(db);
            moveDeploys(List.of(store), 0, 2); // svc-0 and svc-1, four events each
            var sent = new CopyOnWriteArrayList<DeployEvent>();
            var refusals = new AtomicInteger(3);
            DeployEvents flaky = e -> {
                if (e.service().equals("svc-0") && e.sequence() == 1 && refusals.getAndDecrement() > 0) {
                    return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
                }
                sent.add(e);
                return CompletableFuture.completedFuture(null);
            };
            try (var relay = relay(db, flaky, "engine-a")) {
                relay.start();
                awaitSent(new JooqEventOutbox(db), Duration.ofSeconds(30));

                assertThat(relay.failed()).isEqualTo(3);
                assertThat(relay.published()).isEqualTo(8);
            }

            // svc-1 went on while svc-0's second event was refused; svc-0's later events waited for it
            assertThat(sent)
                    .extracting(e -> e.service() + "/" + e.sequence())
                    .containsExactly(
                            "svc-0/0", "svc-1/0", "svc-1/1", "svc-1/2", "svc-1/3", "svc-0/1", "svc-0/2", "svc-0/3");
        }
    }
}

package io.harbormaster.engine.adapters.kafka;

import static io.harbormaster.engine.adapters.kafka.KafkaBroker.header;
import static io.harbormaster.engine.adapters.kafka.KafkaBroker.record;
import static io.harbormaster.engine.adapters.kafka.KafkaBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.CiRequests;
import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.IntakeStats;
import io.harbormaster.engine.intake.RecordingHandler;
import io.harbormaster.engine.intake.RecordingHandler.Delivery;
import io.harbormaster.engine.intake.RetryPolicy;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The deploy.requests consumer against a real KRaft broker. Each test has its own topics and consumer group. */
class KafkaDeployRequestConsumerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final RetryPolicy QUICK_RETRY = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50));

    private static KafkaBroker broker;
    private static Vertx vertx;
    private final List<KafkaDeployRequestConsumer> consumers = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeConsumers() {
        consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
    }

    /** Topics named after the test, so tests sharing the broker never see each other's records. */
    private static KafkaConfig topics(String test, int partitions) throws Exception {
        broker.createTopic(test + ".requests", partitions);
        broker.createTopic(test + ".requests.dlq", 1);
        return KafkaConfig.of(broker.bootstrapServers())
                .withTopics(test + ".requests", test + ".requests.dlq", test + ".events")
                .withIds(test + "-replica-1", test + "-group")
                .withHandlerRetry(QUICK_RETRY)
                .withPolling(Duration.ofMillis(200), 50);
    }

    private KafkaDeployRequestConsumer start(KafkaConfig config, DeployRequestHandler handler) {
        KafkaDeployRequestConsumer consumer = new KafkaDeployRequestConsumer(vertx, config, handler, Clock.systemUTC());
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    private static String valid(String service, String version) {
        return CiRequests.valid(service, version, "build-" + service + "-" + version)
                .toString();
    }

    @Test
    void validRecordsReachTheHandlerAndMalformedOnesGoToTheDeadLetterTopicWithTheirErrors() throws Exception {
        KafkaConfig config = topics("mixed", 3);
        String topic = config.requestsTopic();
        ObjectNode noVersion = CiRequests.valid("orders", "2.0.0", "b-9");
        noVersion.remove("version");
        ObjectNode badChange = CiRequests.valid("ledger", "3.0.0", "b-10");
        ((ObjectNode) badChange.get("change")).put("la", "many");
        broker.publish(
                topic,
                List.of(
                        record(topic, "payments", valid("payments", "1.0.0")),
                        record(topic, "payments", "this is not json", "trace-id", "abc-123"),
                        record(topic, "orders", valid("orders", "1.0.0")),
                        record(topic, "orders", noVersion.toString()),
                        record(topic, "ledger", valid("ledger", "1.0.0")),
                        record(topic, "ledger", badChange.toString()),
                        record(topic, "ledger", null),
                        record(topic, "search", valid("search", "1.0.0"))));

        RecordingHandler handler = new RecordingHandler();
        KafkaDeployRequestConsumer consumer = start(config, handler);

        handler.awaitDeliveries(4, WAIT);
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(config.deadLetterTopic(), 4, WAIT);
        assertThat(handler.deliveries())
                .extracting(d -> d.request().service() + " " + d.request().version())
                .containsExactlyInAnyOrder("payments 1.0.0", "orders 1.0.0", "ledger 1.0.0", "search 1.0.0");

        assertThat(dead).hasSize(4);
        Map<String, ConsumerRecord<byte[], byte[]>> byValue = new LinkedHashMap<>();
        dead.forEach(r -> byValue.put(String.valueOf(text(r.value())), r));

        ConsumerRecord<byte[], byte[]> notJson = byValue.get("this is not json");
        assertThat(text(notJson.key())).isEqualTo("payments");
        assertThat(header(notJson, DeadLetterHeaders.REASON)).isEqualTo("invalid");
        assertThat(header(notJson, DeadLetterHeaders.ERROR)).contains("is not valid JSON");
        assertThat(header(notJson, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topic);
        assertThat(header(notJson, DeadLetterHeaders.SOURCE_PARTITION)).matches("[0-2]");
        assertThat(header(notJson, DeadLetterHeaders.SOURCE_OFFSET)).matches("\\d+");
        assertThat(header(notJson, DeadLetterHeaders.GROUP)).isEqualTo("mixed-group");
        assertThat(header(notJson, DeadLetterHeaders.ATTEMPTS)).isEqualTo("0");
        assertThat(header(notJson, DeadLetterHeaders.FAILED_AT)).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(header(notJson, "trace-id")).as("original headers are kept").isEqualTo("abc-123");

        assertThat(header(byValue.get(noVersion.toString()), DeadLetterHeaders.ERROR))
                .isEqualTo("deploy request refused: version: is missing: expected the image tag to deploy, e.g."
                        + " \"1.4.2\"");
        assertThat(header(byValue.get(badChange.toString()), DeadLetterHeaders.ERROR))
                .contains("change.la: is a string (\"many\"): expected a number");
        assertThat(header(byValue.get("null"), DeadLetterHeaders.ERROR)).contains("is empty");

        assertThat(settled(consumer, s -> s.received() == 8 && s.deadLettered() == 4))
                .isEqualTo(new IntakeStats(8, 4, 0, 0, 4, 0, 0, 0, 0, 0));

        // Still consuming after all that.
        broker.publish(topic, List.of(record(topic, "payments", valid("payments", "1.0.1"))));
        handler.awaitDeliveries(5, WAIT);
        assertThat(consumer.running()).isTrue();
    }

    @Test
    void aRecordWhoseHandlerKeepsFailingIsRetriedThenDeadLetteredWithTheErrorAndTheConsumerGoesOn() throws Exception {
        KafkaConfig config = topics("failing", 1);
        String topic = config.requestsTopic();
        String failingKey = "ci:payments/production/build-payments-1.0.0";
        String flakyKey = "ci:orders/production/build-orders-1.0.0";
        RecordingHandler handler =
                new RecordingHandler().failing(failingKey, 100).failing(flakyKey, 2);
        KafkaDeployRequestConsumer consumer = start(config, handler);

        broker.publish(
                topic,
                List.of(
                        record(topic, "payments", valid("payments", "1.0.0")),
                        record(topic, "orders", valid("orders", "1.0.0")),
                        record(topic, "ledger", valid("ledger", "1.0.0"))));

        handler.awaitDeliveries(2, WAIT);
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(config.deadLetterTopic(), 1, WAIT);

        assertThat(handler.entries()).containsOnlyKeys(flakyKey, "ci:ledger/production/build-ledger-1.0.0");
        assertThat(dead).hasSize(1);
        assertThat(header(dead.getFirst(), DeadLetterHeaders.REASON)).isEqualTo("handler-failed");
        assertThat(header(dead.getFirst(), DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
        assertThat(header(dead.getFirst(), DeadLetterHeaders.ERROR))
                .contains("handler failed 3 times for " + failingKey)
                .contains("database unavailable");
        assertThat(text(dead.getFirst().value())).isEqualTo(valid("payments", "1.0.0"));
        IntakeStats stats = settled(consumer, s -> s.received() == 3 && s.failed() == 1);
        assertThat(stats.accepted()).isEqualTo(2);
        assertThat(stats.retries()).isEqualTo(2 + 2);
    }

    @Test
    void aRecordHandledButNotCommittedBeforeACrashIsHandledAgainUnderTheSameKeyAndStoredOnce() throws Exception {
        KafkaConfig config = topics("redelivery", 1);
        String topic = config.requestsTopic();
        String key = "ci:payments/production/build-payments-1.0.0";
        RecordingHandler handler = new RecordingHandler().holding(key);
        KafkaDeployRequestConsumer first = start(config, handler);
        broker.publish(topic, List.of(record(topic, "payments", valid("payments", "1.0.0"))));

        // The first replica has handled the record and "crashes" before it can commit: its shutdown deadline
        // passes while the handler is still busy, so the record is abandoned uncommitted.
        assertThat(handler.awaitHeld(WAIT)).isTrue();
        assertThat(first.close(Duration.ofMillis(100))).isFalse();
        handler.release();

        KafkaDeployRequestConsumer second = start(config.withIds("redelivery-replica-2", config.groupId()), handler);
        List<Delivery> deliveries = handler.awaitDeliveries(2, WAIT);

        assertThat(deliveries).extracting(Delivery::idempotencyKey).containsExactly(key, key);
        assertThat(deliveries.get(0).outcome()).isInstanceOf(DeployRequestHandler.Outcome.Accepted.class);
        assertThat(deliveries.get(1).outcome()).isInstanceOf(DeployRequestHandler.Outcome.Duplicate.class);
        assertThat(deliveries.get(0).thread()).isNotEqualTo(deliveries.get(1).thread());
        assertThat(handler.entries()).containsOnlyKeys(key);
        assertThat(settled(second, s -> s.duplicates() == 1).duplicates()).isEqualTo(1);
    }

    @Test
    void twoReplicasInOneGroupHandleEachServicesRecordsOneAtATimeAndInOrder() throws Exception {
        KafkaConfig config = topics("shared", 6);
        String topic = config.requestsTopic();
        int services = 20;
        int versions = 10;

        ServiceOrderHandler handler = new ServiceOrderHandler();
        KafkaDeployRequestConsumer first = start(config, handler);
        broker.publish(topic, batch(topic, services, 0, versions / 2));
        handler.awaitHandled(services * versions / 4);

        // A second replica joins while the first is busy: partitions move between them.
        KafkaDeployRequestConsumer second = start(config.withIds("shared-replica-2", config.groupId()), handler);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (second.assignedPartitions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(second.assignedPartitions()).isNotEmpty();
        broker.publish(topic, batch(topic, services, versions / 2, versions));
        handler.awaitHandled(services * versions);

        assertThat(handler.overlaps)
                .as("handler calls for one service that overlapped")
                .isEmpty();
        Map<String, List<Integer>> order = handler.orderByService();
        assertThat(order).hasSize(services);
        for (var entry : order.entrySet()) {
            assertThat(entry.getValue())
                    .as("versions of %s in the order they were handled", entry.getKey())
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
        assertThat(handler.threads()).as("both replicas handled records").hasSize(2);
        long total = services * versions;
        settled(first, s -> s.accepted() + second.stats().accepted() == total);
        assertThat(first.stats().accepted() + second.stats().accepted()).isEqualTo(total);
    }

    /**
     * The consumer's counters once {@code done} holds (they are updated just after the handler returns, so a test
     * that saw the handler's call may look a moment too early), or as they are after a bounded wait.
     */
    private static IntakeStats settled(KafkaDeployRequestConsumer consumer, Predicate<IntakeStats> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!done.test(consumer.stats()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return consumer.stats();
    }

    private static List<ProducerRecord<byte[], byte[]>> batch(String topic, int services, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int v = from; v < to; v++) {
            for (int s = 0; s < services; s++) {
                String service = "svc-" + s;
                records.add(record(topic, service, valid(service, "1.0." + v)));
            }
        }
        return records;
    }

    /** Records, per service, the order of handling, and any two calls for one service that overlapped. */
    private static final class ServiceOrderHandler implements DeployRequestHandler {
        final List<String> overlaps = new CopyOnWriteArrayList<>();
        private final Map<String, String> inFlight = new ConcurrentHashMap<>();
        private final List<String[]> handled = new CopyOnWriteArrayList<>();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Outcome handle(CiDeployRequest request, String idempotencyKey) {
            String me = Thread.currentThread().getName();
            String other = inFlight.putIfAbsent(request.service(), me);
            if (other != null) {
                overlaps.add(request.service() + " " + request.version() + " on " + me + " while " + other);
            }
            try {
                Thread.sleep(2); // widen the window in which an overlap would show
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.remove(request.service(), me);
            }
            handled.add(new String[] {request.service(), request.version(), me});
            synchronized (this) {
                count.incrementAndGet();
                notifyAll();
            }
            return new Outcome.Accepted(java.util.OptionalLong.empty());
        }

        synchronized void awaitHandled(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (count.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " handled within " + WAIT + ", got " + count.get());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        Map<String, List<Integer>> orderByService() {
            return handled.stream()
                    .collect(Collectors.groupingBy(
                            h -> h[0],
                            Collectors.mapping(h -> Integer.parseInt(h[1].substring(4)), Collectors.toList())));
        }

        java.util.Set<String> threads() {
            return handled.stream().map(h -> h[2]).collect(Collectors.toSet());
        }
    }
}

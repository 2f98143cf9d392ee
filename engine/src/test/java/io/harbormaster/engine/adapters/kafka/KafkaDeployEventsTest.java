package io.harbormaster.engine.adapters.kafka;

import static io.harbormaster.engine.adapters.kafka.KafkaBroker.header;
import static io.harbormaster.engine.adapters.kafka.KafkaBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEventJson;
import io.harbormaster.engine.rollout.DeployState;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy.events against a real KRaft broker, read back by a plain Kafka consumer as another system would. */
class KafkaDeployEventsTest {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");
    private static final DeployState[] PATH = {
        DeployState.REQUESTED,
        DeployState.SCORED,
        DeployState.PREFLIGHT,
        DeployState.CANARY,
        DeployState.PROMOTING,
        DeployState.PROMOTED
    };

    private static KafkaBroker broker;
    private static Vertx vertx;

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

    private static DeployEvent event(long deployId, String service, int sequence) {
        return new DeployEvent(
                deployId,
                sequence,
                service,
                "2.0.0",
                "production",
                sequence == 1 ? Optional.empty() : Optional.of(PATH[sequence - 2]),
                PATH[sequence - 1],
                Math.max(0, sequence - 3),
                "engine",
                "moved to " + DeployEventJson.wire(PATH[sequence - 1]),
                AT.plusSeconds(sequence));
    }

    @Test
    void everyEventIsPublishedAsDocumentedJsonKeyedByServiceInOrderPerService() throws Exception {
        broker.createTopic("deploy.events", 4);
        KafkaConfig config = KafkaConfig.of(broker.bootstrapServers()).withIds("events-test", "unused");
        List<DeployEvent> published = new ArrayList<>();
        try (KafkaDeployEvents events = new KafkaDeployEvents(vertx, config)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int sequence = 1; sequence <= PATH.length; sequence++) {
                for (String service : List.of("payments", "orders", "ledger")) {
                    DeployEvent event = event(service.length(), service, sequence);
                    published.add(event);
                    acks.add(events.publish(event).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(events.published()).isEqualTo(published.size());
            assertThat(events.failed()).isZero();
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                broker.readAll("deploy.events", published.size(), Duration.ofSeconds(20));
        assertThat(records).hasSize(published.size());

        for (ConsumerRecord<byte[], byte[]> record : records) {
            DeployEvent event = DeployEventJson.fromJson(text(record.value()));
            assertThat(text(record.key())).isEqualTo(event.service());
            assertThat(header(record, KafkaDeployEvents.CONTENT_TYPE_HEADER))
                    .isEqualTo("application/json; schema_version=1");
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byService =
                records.stream().collect(Collectors.groupingBy(r -> text(r.key())));
        for (var entry : byService.entrySet()) {
            assertThat(entry.getValue())
                    .as("one partition per service")
                    .extracting(ConsumerRecord::partition)
                    .containsOnly(entry.getValue().getFirst().partition());
            assertThat(entry.getValue())
                    .extracting(r -> DeployEventJson.fromJson(text(r.value())))
                    .as("events of %s in publication order", entry.getKey())
                    .containsExactlyElementsOf(published.stream()
                            .filter(e -> e.service().equals(entry.getKey()))
                            .toList());
        }

        JsonNode first = new ObjectMapper()
                .readTree(text(byService.get("payments").getFirst().value()));
        assertThat(first.get("schema_version").asInt()).isEqualTo(1);
        assertThat(first.get("type").asText()).isEqualTo("deploy.transition");
        assertThat(first.get("deploy_id").asLong()).isEqualTo(8);
        assertThat(first.get("sequence").asInt()).isEqualTo(1);
        assertThat(first.get("from").isNull()).isTrue();
        assertThat(first.get("to").asText()).isEqualTo("requested");
        assertThat(first.get("terminal").asBoolean()).isFalse();
        assertThat(first.get("at").asText()).isEqualTo("2025-06-01T12:00:01Z");
    }

    @Test
    void publishingAfterCloseFailsTheStageInsteadOfThrowing() {
        KafkaConfig config = KafkaConfig.of(broker.bootstrapServers()).withIds("events-closed", "unused");
        KafkaDeployEvents events = new KafkaDeployEvents(vertx, config);
        events.close();

        assertThat(events.publish(event(1, "payments", 1)).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(events.failed()).isEqualTo(1);
    }
}

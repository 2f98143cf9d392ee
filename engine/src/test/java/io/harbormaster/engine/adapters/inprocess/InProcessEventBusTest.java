package io.harbormaster.engine.adapters.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessEventBusTest {

    private final InProcessEventBus bus = new InProcessEventBus();

    @AfterEach
    void close() {
        bus.close();
    }

    static DeployEvent event(String service, long deployId, int sequence) {
        return new DeployEvent(
                deployId,
                sequence,
                service,
                "1.0." + sequence,
                "production",
                sequence == 1 ? Optional.empty() : Optional.of(DeployState.REQUESTED),
                DeployState.SCORED,
                0,
                "engine",
                "step " + sequence,
                Instant.parse("2025-06-01T12:00:00Z").plusSeconds(sequence));
    }

    @Test
    void everySubscriberGetsEveryEventInOrderPerService() throws Exception {
        List<DeployEvent> first = new CopyOnWriteArrayList<>();
        List<DeployEvent> second = new CopyOnWriteArrayList<>();
        bus.subscribe(first::add);
        bus.subscribe(second::add);

        for (int seq = 1; seq <= 30; seq++) {
            for (String service : List.of("payments", "orders", "ledger")) {
                bus.publish(event(service, service.hashCode(), seq));
            }
        }
        bus.publish(event("payments", 1, 31)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(first).hasSize(91).isEqualTo(second);
        Map<String, List<Integer>> perService = first.stream()
                .collect(Collectors.groupingBy(
                        DeployEvent::service, Collectors.mapping(DeployEvent::sequence, Collectors.toList())));
        assertThat(perService.get("orders")).isSorted().hasSize(30);
        assertThat(perService.get("payments")).isSorted().hasSize(31);
        assertThat(bus.published()).isEqualTo(91);
    }

    @Test
    void aFailingSubscriberDoesNotKeepTheEventFromTheOthers() throws Exception {
        List<DeployEvent> received = new CopyOnWriteArrayList<>();
        bus.subscribe(e -> {
            throw new IllegalStateException("broken subscriber");
        });
        bus.subscribe(received::add);

        bus.publish(event("payments", 1, 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(received).hasSize(1);
        assertThat(bus.subscriberFailures()).isEqualTo(1);
    }

    @Test
    void anUnsubscribedSubscriberGetsNothingMore() throws Exception {
        List<DeployEvent> received = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = bus.subscribe(received::add);
        bus.publish(event("payments", 1, 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        subscription.close();
        bus.publish(event("payments", 1, 2)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(received).extracting(DeployEvent::sequence).containsExactly(1);
    }

    @Test
    void closingDeliversWhatWasPublishedBefore() {
        List<DeployEvent> received = new CopyOnWriteArrayList<>();
        bus.subscribe(received::add);
        for (int seq = 1; seq <= 100; seq++) {
            bus.publish(event("payments", 1, seq));
        }
        assertThat(bus.close(Duration.ofSeconds(5))).isTrue();

        assertThat(received).hasSize(100);
        assertThat(bus.publish(event("payments", 1, 101))).isCompletedExceptionally();
    }
}

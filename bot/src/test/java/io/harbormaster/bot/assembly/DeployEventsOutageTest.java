package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.DeployState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole bot with its events transport (Kafka's place) down while a deploy runs from request to promotion: no
 * event is lost, /metrics shows them waiting and the failed sends, and once the transport is back every event arrives
 * in order.
 */
class DeployEventsOutageTest {

    /** A transport that refuses every send while it is down (as a producer does once its brokers time out). */
    static final class Transport implements DeployEvents {
        volatile boolean down = true;
        final List<DeployEvent> received = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> publish(DeployEvent event) {
            if (down) {
                return CompletableFuture.failedFuture(new TimeoutException("Kafka is down"));
            }
            received.add(event);
            return CompletableFuture.completedFuture(null);
        }
    }

    static final Pattern PROMOTED = Pattern.compile("harbormaster_deploys_total\\{outcome=\"promoted\"\\} 1(\\.0)?\\n");

    final Transport transport = new Transport();

    @RegisterExtension
    final InProcessBot bot = new InProcessBot(
            InProcessBot.Options.of("outage", ReadinessRollbackMetricsTest.CONFIG, users(BOB), List.of("wishlist"))
                    .withTick(Duration.ofMillis(300))
                    .withEvents(transport));

    @Test
    void eventsOfADeployThatRanWhileTheTransportWasDownWaitOnMetricsAndAllArriveInOrderOnceItIsBack() {
        assertThat(bot.announce("wishlist", "1.1.0", InProcessBot.SMALL_CHANGE, true)
                        .statusCode())
                .isEqualTo(202);

        var down = Await.value("the deploy promoted while events cannot be sent", Duration.ofSeconds(60), () -> {
            var text = bot.scrape();
            return PROMOTED.matcher(text).find() ? text : null;
        });
        assertThat(gauge(down, "harbormaster_deploy_events_pending")).isPositive();
        assertThat(gauge(down, "harbormaster_deploy_events_failed_total")).isPositive();
        assertThat(transport.received).isEmpty();

        transport.down = false;

        var back = Await.value("every event sent", Duration.ofSeconds(30), () -> {
            var text = bot.scrape();
            return gauge(text, "harbormaster_deploy_events_pending") == 0 ? text : null;
        });
        var events = transport.received;
        assertThat(events).extracting(DeployEvent::sequence).containsExactly(sequences(events.size()));
        assertThat(events.getFirst().to()).isEqualTo(DeployState.REQUESTED);
        assertThat(events.getLast().to()).isEqualTo(DeployState.PROMOTED);
        assertThat(events)
                .extracting(DeployEvent::deployId)
                .containsOnly(events.getFirst().deployId());
        assertThat(gauge(back, "harbormaster_deploy_events_published_total")).isEqualTo(events.size());
        assertThat(gauge(back, "harbormaster_deploy_events_unreadable"))
                .as("every event was readable")
                .isZero();
    }

    static Integer[] sequences(int n) {
        var out = new Integer[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** A metric's value in a scrape; -1 when it is not there. */
    static double gauge(String scrape, String name) {
        var m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}

package io.harbormaster.engine.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.intake.CiRequests;
import io.harbormaster.engine.intake.RecordingHandler;
import io.harbormaster.engine.intake.RecordingHandler.Delivery;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A CI job's way of publishing, with Debian's {@code kcat} as the outside producer. Skipped, loudly, where kcat is
 * not installed; a failure under {@code CI=true}, where {@code .ci/run} installs it.
 */
class KcatPublishesDeployRequestsTest {

    private static KafkaBroker broker;
    private static Vertx vertx;

    /** {@code $KCAT} when set (only that), else the first {@code kcat} on the PATH or in /usr/bin. */
    static Optional<Path> kcat() {
        String chosen = System.getenv("KCAT");
        if (chosen != null && !chosen.isBlank()) {
            return Optional.of(Path.of(chosen)).filter(Files::isExecutable);
        }
        Stream<String> path = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator));
        return Stream.concat(path, Stream.of("/usr/bin"))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kcat"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    @BeforeAll
    static void startBroker() throws Exception {
        if (kcat().isEmpty()) {
            return; // each test then reports itself skipped (or failed under CI=true)
        }
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

    @BeforeEach
    void requireKcat() {
        if (kcat().isPresent()) {
            return;
        }
        String message = "kcat is not installed: the test publishing deploy requests with kcat did not run."
                + " Install it with `apt-get install kcat`.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " CI=true, so this is a failure, not a skip.");
        }
        System.err.println("!!!!!!!!!! SKIPPED: " + message);
        Assumptions.abort(message);
    }

    @Test
    void aDeployRequestPublishedWithKcatTheWayACiJobDoesReachesTheHandler() throws Exception {
        broker.createTopic("deploy.requests", 3);
        broker.createTopic("deploy.requests.dlq", 1);
        RecordingHandler handler = new RecordingHandler();
        KafkaConfig config = KafkaConfig.of(broker.bootstrapServers()).withIds("kcat-test", "kcat-group");
        String json = CiRequests.valid("payments", "7.1.0", "gitlab-991").toString();

        try (var consumer = new KafkaDeployRequestConsumer(vertx, config, handler, Clock.systemUTC())) {
            consumer.start();
            Process kcat = new ProcessBuilder(
                            kcat().orElseThrow().toString(),
                            "-P",
                            "-b",
                            broker.bootstrapServers(),
                            "-t",
                            "deploy.requests",
                            "-k",
                            "payments")
                    .redirectErrorStream(true)
                    .start();
            try (var stdin = kcat.getOutputStream()) {
                stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            }
            assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).as("kcat finished").isTrue();
            String output = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kcat.exitValue())
                    .as("kcat exit status; it said: %s", output)
                    .isZero();

            List<Delivery> deliveries = handler.awaitDeliveries(1, Duration.ofSeconds(20));
            Delivery delivery = deliveries.getFirst();
            assertThat(delivery.idempotencyKey()).isEqualTo("ci:payments/production/gitlab-991");
            assertThat(delivery.request().version()).isEqualTo("7.1.0");
            assertThat(delivery.request().json()).isEqualTo(json);
            assertThat(consumer.stats().misKeyed()).isZero();
            assertThat(consumer.stats().deadLettered()).isZero();
        }
    }
}

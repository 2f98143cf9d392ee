package io.harbormaster.engine.adapters.kafka;

import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEventJson;
import io.harbormaster.engine.rollout.DeployEvents;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes deploy events to {@code deploy.events} as {@link DeployEventJson} (UTF-8), keyed by service so one
 * service's events share a partition and stay in order. The producer is idempotent with {@code acks=all}: a retried
 * send neither duplicates nor reorders.
 */
public final class KafkaDeployEvents implements DeployEvents, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaDeployEvents.class.getName());

    /** Header naming the payload's schema: {@code application/json; schema_version=1}. */
    public static final String CONTENT_TYPE_HEADER = "content-type";

    public static final String CONTENT_TYPE = "application/json; schema_version=" + DeployEventJson.SCHEMA_VERSION;

    private final KafkaConfig config;
    private final KafkaProducer<String, String> producer;
    private final LongAdder published = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean closed;

    /** {@code vertx} stays the caller's to close. */
    public KafkaDeployEvents(Vertx vertx, KafkaConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.producer = KafkaProducer.create(
                vertx, config.producerProperties("-events"), new StringSerializer(), new StringSerializer());
    }

    @Override
    public CompletionStage<Void> publish(DeployEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            failed.increment();
            return CompletableFuture.failedFuture(new IllegalStateException("deploy events publisher is closed"));
        }
        KafkaProducerRecord<String, String> record =
                KafkaProducerRecord.create(config.eventsTopic(), event.service(), DeployEventJson.toJson(event));
        record.addHeader(CONTENT_TYPE_HEADER, CONTENT_TYPE);
        CompletableFuture<Void> done = new CompletableFuture<>();
        producer.send(record)
                .onComplete(
                        metadata -> {
                            published.increment();
                            done.complete(null);
                        },
                        error -> {
                            failed.increment();
                            LOG.log(
                                    Level.WARNING,
                                    "could not publish event {0} of deploy {1} ({2}) to {3}: {4}",
                                    event.sequence(),
                                    event.deployId(),
                                    event.service(),
                                    config.eventsTopic(),
                                    error.toString());
                            done.completeExceptionally(error);
                        });
        return done;
    }

    /** Events acknowledged by the brokers since start. */
    public long published() {
        return published.sum();
    }

    /** Events that could not be published since start. */
    public long failed() {
        return failed.sum();
    }

    /** Sends what is buffered (waiting up to the send timeout) and closes the producer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            KafkaDeployRequestConsumer.await(
                    producer.close(config.sendTimeout().toMillis()),
                    config.sendTimeout().plus(Duration.ofSeconds(5)));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the deploy events producer failed: {0}", e.toString());
        }
    }
}

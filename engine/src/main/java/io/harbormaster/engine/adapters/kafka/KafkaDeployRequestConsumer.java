package io.harbormaster.engine.adapters.kafka;

import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.IntakeCounters;
import io.harbormaster.engine.intake.IntakeProcessor;
import io.harbormaster.engine.intake.IntakeResult;
import io.harbormaster.engine.intake.IntakeStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Consumes {@code deploy.requests} in the bot's consumer group and feeds each record to the engine's
 * {@link DeployRequestHandler}.
 *
 * <p>One thread polls a batch, handles its records one after the other (so a partition's records, and therefore a
 * service's, are handled in order), commits the offsets of what it finished, and only then polls again. Because a
 * rebalance can only happen inside a poll, a partition changes hands only when everything handled from it is
 * committed: a service's requests are handled by one replica at a time. Delivery is at least once (a crash between
 * handling and committing redelivers); the handler is idempotent by key, so that is harmless.
 *
 * <p>A record that is not a valid request, or whose handling failed every retry, goes to the dead-letter topic with
 * the original key, value and headers plus {@link DeadLetterHeaders}, and is then committed. If even dead-lettering
 * fails, the record is not committed: the consumer seeks back to it and tries again after a pause. Nothing stops the
 * consumer but {@link #close()}.
 */
public final class KafkaDeployRequestConsumer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaDeployRequestConsumer.class.getName());
    private static final Duration CLIENT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConfig config;
    private final Clock clock;
    private final IntakeCounters counters = new IntakeCounters();
    private final IntakeProcessor processor;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread loop;
    private volatile boolean running;
    private volatile boolean closed;
    /** Set when shutdown gave up waiting: whatever is in hand then is left uncommitted. */
    private volatile boolean abandoned;

    /** Creates the clients; nothing is consumed before {@link #start()}. {@code vertx} stays the caller's to close. */
    public KafkaDeployRequestConsumer(Vertx vertx, KafkaConfig config, DeployRequestHandler handler, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.processor = new IntakeProcessor(handler, config.handlerRetry(), counters, IntakeProcessor.Sleeper.THREAD);
        this.consumer = KafkaConsumer.create(
                vertx, config.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = KafkaProducer.create(
                vertx, config.producerProperties("-dlq"), new ByteArraySerializer(), new ByteArraySerializer());
        consumer.partitionsAssignedHandler(partitions -> {
            partitions.forEach(tp -> assigned.add(tp.getPartition()));
            LOG.log(Level.INFO, "{0}: assigned {1}", config.clientId(), partitions);
        });
        consumer.partitionsRevokedHandler(partitions -> {
            partitions.forEach(tp -> assigned.remove(tp.getPartition()));
            LOG.log(Level.INFO, "{0}: revoked {1}", config.clientId(), partitions);
        });
        this.loop = new Thread(this::run, "harbormaster-kafka-intake-" + config.clientId());
        this.loop.setDaemon(true);
    }

    /** Joins the group and starts consuming; returns once subscribed. */
    public void start() {
        if (running || closed) {
            throw new IllegalStateException("a consumer starts once");
        }
        try {
            await(consumer.subscribe(config.requestsTopic()), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not subscribe to " + config.requestsTopic() + " at " + config.bootstrapServers(), e);
        }
        running = true;
        loop.start();
        LOG.log(Level.INFO, "consuming {0} as {1}", config.requestsTopic(), config);
    }

    /** Counts since start, for {@code /metrics}. */
    public IntakeStats stats() {
        return counters.snapshot();
    }

    /** The partitions of the requests topic this replica owns now (as last reported by the group). */
    public Set<Integer> assignedPartitions() {
        return Set.copyOf(assigned);
    }

    /** Whether the consuming thread is alive. */
    public boolean running() {
        return loop.isAlive();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> batch;
                try {
                    batch = await(
                                    consumer.poll(config.pollTimeout()),
                                    config.pollTimeout().plusSeconds(30))
                            .records();
                } catch (Exception e) {
                    if (!running) {
                        break;
                    }
                    LOG.log(Level.WARNING, "{0}: poll failed, trying again: {1}", config.clientId(), e.toString());
                    pause(config.handlerRetry().maxBackoff());
                    continue;
                }
                handle(batch);
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, config.clientId() + ": the consuming thread died", e);
            throw e;
        } finally {
            stopped.countDown();
        }
    }

    /** Handles one polled batch in order and commits what was finished. */
    private void handle(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, OffsetAndMetadata> finished = new HashMap<>();
        Set<TopicPartition> heldBack = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (heldBack.contains(partition)) {
                continue;
            }
            if (!running) {
                break; // the rest is delivered again to whoever owns the partition next
            }
            if (handle(record)) {
                finished.put(partition, new OffsetAndMetadata(record.offset() + 1, ""));
            } else {
                heldBack.add(partition);
                if (running) {
                    seek(partition, record.offset());
                }
            }
        }
        if (abandoned) {
            return; // close() gave up on this batch and is closing the consumer: commit nothing more
        }
        commit(finished);
        if (!heldBack.isEmpty() && running) {
            pause(config.handlerRetry().maxBackoff());
        }
    }

    /** Whether the record is done with (handled or dead-lettered) and may be committed. */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        String where = record.topic() + "/" + record.partition() + "@" + record.offset();
        Optional<String> key = Optional.ofNullable(record.key()).map(k -> new String(k, StandardCharsets.UTF_8));
        IntakeResult result = processor.process(key, record.value(), where);
        return switch (result) {
            case IntakeResult.Handled handled -> true;
            case IntakeResult.DeadLetter dead -> deadLetter(record, dead, where);
            case IntakeResult.Interrupted interrupted -> false;
        };
    }

    private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, IntakeResult.DeadLetter dead, String where) {
        KafkaProducerRecord<byte[], byte[]> out =
                KafkaProducerRecord.create(config.deadLetterTopic(), record.key(), record.value());
        for (Header header : record.headers()) {
            out.addHeader(header.key(), Buffer.buffer(header.value() == null ? new byte[0] : header.value()));
        }
        String error = dead.error().length() > DeadLetterHeaders.MAX_ERROR
                ? dead.error().substring(0, DeadLetterHeaders.MAX_ERROR) + "..."
                : dead.error();
        out.addHeader(DeadLetterHeaders.REASON, dead.reason().wire());
        out.addHeader(DeadLetterHeaders.ERROR, error);
        out.addHeader(DeadLetterHeaders.SOURCE_TOPIC, record.topic());
        out.addHeader(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()));
        out.addHeader(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()));
        out.addHeader(DeadLetterHeaders.GROUP, config.groupId());
        out.addHeader(DeadLetterHeaders.ATTEMPTS, Integer.toString(dead.attempts()));
        out.addHeader(DeadLetterHeaders.FAILED_AT, clock.instant().toString());
        try {
            await(deadLetters.send(out), config.sendTimeout().plusSeconds(5));
            counters.deadLettered(dead.reason());
            LOG.log(
                    Level.WARNING,
                    "{0}: dead-lettered to {1} ({2})",
                    where,
                    config.deadLetterTopic(),
                    dead.reason().wire());
            return true;
        } catch (Exception e) {
            counters.deadLetterFailed();
            LOG.log(
                    Level.ERROR,
                    "{0}: could not dead-letter to {1}, keeping the record to try again: {2}",
                    where,
                    config.deadLetterTopic(),
                    e.toString());
            return false;
        }
    }

    private void seek(TopicPartition partition, long offset) {
        try {
            await(consumer.seek(partition, offset), Duration.ofSeconds(30));
        } catch (Exception e) {
            // Not committed either way: the record comes back at the latest after a rebalance or restart.
            LOG.log(
                    Level.WARNING,
                    "{0}: could not seek back to {1}@{2}: {3}",
                    config.clientId(),
                    partition,
                    offset,
                    e.toString());
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            await(consumer.commit(offsets), Duration.ofSeconds(30));
        } catch (Exception e) {
            counters.commitFailed();
            LOG.log(
                    Level.WARNING,
                    "{0}: commit of {1} failed; those records will be delivered again: {2}",
                    config.clientId(),
                    offsets,
                    e.toString());
        }
    }

    private void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops within {@link KafkaConfig#shutdownTimeout()}; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(config.shutdownTimeout());
    }

    /**
     * Stops taking records, waits up to {@code deadline} for the record in hand to be finished and committed, then
     * leaves the group and closes the clients. Returns whether the work in hand finished in time; if not, its thread
     * is interrupted and its record, not committed, goes to the partition's next owner.
     */
    public boolean close(Duration deadline) {
        if (closed) {
            return true;
        }
        closed = true;
        running = false;
        boolean finished = true;
        if (loop.isAlive()) {
            try {
                finished = stopped.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            if (!finished) {
                abandoned = true;
                LOG.log(
                        Level.WARNING,
                        "{0}: work in hand did not finish within {1}; leaving it uncommitted",
                        config.clientId(),
                        deadline);
                loop.interrupt();
            }
        }
        closeQuietly(consumer.close(), "consumer");
        closeQuietly(deadLetters.close(), "dead-letter producer");
        LOG.log(Level.INFO, "{0}: closed, {1}", config.clientId(), counters.snapshot());
        return finished;
    }

    private void closeQuietly(Future<Void> closing, String what) {
        try {
            await(closing, CLIENT_CLOSE_TIMEOUT);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "{0}: closing the {1} failed: {2}", config.clientId(), what, e.toString());
        }
    }

    static <T> T await(Future<T> future, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}

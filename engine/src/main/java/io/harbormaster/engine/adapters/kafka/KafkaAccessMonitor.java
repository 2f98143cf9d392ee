package io.harbormaster.engine.adapters.kafka;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks the brokers, every {@code interval} after start and with a login of its own each time (what a client that
 * reconnects goes through), whether this replica may still do its work ({@link KafkaConnectionCheck#access}): a
 * login refused (credentials rotated) or a permission withdrawn (an ACL revoked) after start leaves the consumer and
 * the producers only logging warnings and retrying, so {@code /readyz} reads {@link #status()} instead. A problem
 * that lasts the grace makes the replica unready, and the next answer without it makes it ready again.
 */
public final class KafkaAccessMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KafkaAccessMonitor.class.getName());

    /** How long a refused login or a withheld permission lasts before a replica says it is not ready. */
    public static final Duration GRACE = Duration.ofSeconds(60);

    /** How often the brokers are asked. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private final KafkaConfig config;
    private final Duration interval;
    private final Duration timeout;
    private final Clock clock;
    private final KafkaAccess access;
    private final ScheduledExecutorService schedule;
    /** Whether the current run of failures has been logged as making the replica unready. */
    private final java.util.concurrent.atomic.AtomicBoolean toldUnready =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param interval how often to ask
     * @param grace how long a problem lasts before the replica is unready
     * @param timeout how long one check waits for the brokers (at most {@code interval})
     */
    public KafkaAccessMonitor(KafkaConfig config, Duration interval, Duration grace, Duration timeout, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the Kafka access check interval must be positive, got " + interval);
        }
        this.interval = interval;
        this.timeout = timeout.compareTo(interval) > 0 ? interval : timeout;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.access = new KafkaAccess(grace);
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "harbormaster-kafka-access-" + config.clientId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks every interval from one interval on (serve checked the brokers just before it started). */
    public void start() {
        schedule.scheduleWithFixedDelay(
                this::checkNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The access as of now; the first answer of a run of failures that says not ready is logged. */
    public KafkaAccess.Status status() {
        var status = access.status(clock.instant());
        if (status instanceof KafkaAccess.Status.Failing f && !f.ready() && toldUnready.compareAndSet(false, true)) {
            LOG.log(
                    Level.ERROR,
                    "{0}: {1}, for {2} s now: /readyz reports this replica not ready until Kafka accepts it again",
                    config.clientId(),
                    f.message(),
                    f.lasting().toSeconds());
        }
        return status;
    }

    public Duration grace() {
        return access.grace();
    }

    public Duration interval() {
        return interval;
    }

    /** Asks the brokers once and records the answer. */
    void checkNow() {
        try {
            KafkaConnectionCheck.access(config, timeout);
            if (access.answered()) {
                toldUnready.set(false);
                LOG.log(
                        Level.INFO,
                        "{0}: Kafka accepts this client again; ready as far as Kafka goes",
                        config.clientId());
            }
        } catch (KafkaConnectionCheck.Failed e) {
            switch (e.problem()) {
                case UNREACHABLE ->
                    LOG.log(
                            Level.DEBUG,
                            "{0}: the Kafka access check had no answer; the last one stands: {1}",
                            config.clientId(),
                            e.getMessage());
                case AUTHENTICATION, AUTHORIZATION, CONFIGURATION -> {
                    var now = clock.instant();
                    if (access.refused(e.problem(), e.getMessage(), now)) {
                        toldUnready.set(false);
                        LOG.log(
                                Level.WARNING,
                                "{0}: {1}; this replica reports not ready if that lasts {2} s",
                                config.clientId(),
                                e.getMessage(),
                                access.grace().toSeconds());
                    }
                }
            }
        } catch (RuntimeException e) {
            // never let one odd failure stop the schedule; the last answer stands
            LOG.log(Level.WARNING, "{0}: the Kafka access check failed: {1}", config.clientId(), e.toString());
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}

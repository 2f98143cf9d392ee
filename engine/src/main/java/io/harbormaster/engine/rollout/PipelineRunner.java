package io.harbormaster.engine.rollout;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drives the pipeline on a timer: every tick advances every unfinished deploy (so a restarted engine picks its work
 * up), and {@link #nudge(long)} advances one deploy at once (so a new request does not wait for the next tick).
 * Failures of one tick are logged and the next tick tries again.
 */
public final class PipelineRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PipelineRunner.class.getName());

    private final DeployPipeline pipeline;
    private final ScheduledExecutorService executor;
    private final java.util.Queue<Long> nudged = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public PipelineRunner(DeployPipeline pipeline, Duration tick) {
        this.pipeline = pipeline;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "harbormaster-pipeline");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            pipeline.advanceAll(this::advanceNudged);
            advanceNudged();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pipeline tick failed; retrying on the next tick", e);
        }
    }

    /**
     * Advances one deploy soon, on the pipeline's thread: before the next deploy of a sweep in progress, not after the
     * whole sweep, so that a new request's latency does not grow with the number of canaries in flight.
     */
    public void nudge(long deployId) {
        nudged.add(deployId);
        executor.execute(this::advanceNudged);
    }

    private void advanceNudged() {
        Long id;
        while ((id = nudged.poll()) != null) {
            try {
                pipeline.advance(id);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "advancing deploy " + id + " failed; the next tick retries", e);
            }
        }
    }

    /** Stops ticking; the work in hand finishes, and another engine takes over when the leases run out. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

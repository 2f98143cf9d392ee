package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary whose pods restart, below the restart trigger's limit: its thread hears of it when the restarts show, and
 * again only when they have doubled, not at every interval; an engine that takes the canary over does not tell it
 * again.
 */
class CanaryRestartsTest {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout:
                namespace: shop
                approvers: shop-approvers
                canary:
                  hard_triggers: {max_restarts: 10}
            """;

    Database db;
    PipelineFixture f;
    /** The canary's pod restarts in the interval that starts at this second (epoch), on top of the simulation's. */
    final Map<Long, Double> canaryRestarts = new ConcurrentHashMap<>();

    @BeforeEach
    void open() {
        db = SlackBot.database("restarts");
        f = new PipelineFixture(db, CONFIG);
        f.metricsSource = restarting(f.metrics);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void restartsAreToldWhenTheyShowAndAgainOnlyOnceTheyDoubleThenTheCanaryGoesOnBelowTheLimit() {
        var engine = f.engine("engine-a");
        long id = canaryOfCheckout(engine);
        var started = canaryStart(id);
        restartsAt(started, 20, 2); // 2 in the window: told
        restartsAt(started, 40, 1); // 3: not twice 2, not told
        restartsAt(started, 60, 1); // 4: told again

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);

        var told = restarting(id);
        assertThat(told).extracting(DeployNotice.CanaryRestarting::restarts).containsExactly(2.0, 4.0);
        assertThat(told).allSatisfy(r -> {
            assertThat(r.limit()).isEqualTo(10.0);
            assertThat(r.windowSeconds()).isEqualTo(300);
            assertThat(r.baselineRestarts()).isEqualTo(0.0);
        });
        assertThat(f.audited(id, "canary.restarts")).hasSize(2).allSatisfy(e -> {
            assertThat(e.decision()).isEqualTo("continue");
            assertThat(e.reasoningJson()).contains("\"max_restarts\":10", "\"restart_window_seconds\":300");
        });
    }

    @Test
    void anEngineThatTakesTheCanaryOverDoesNotTellRestartsItsThreadWasToldAlready() {
        var first = f.engine("engine-a");
        long id = canaryOfCheckout(first);
        var started = canaryStart(id);
        restartsAt(started, 20, 2);
        while (restarting(id).isEmpty()) {
            f.clock.advance(Duration.ofSeconds(10));
            first.advance(id);
            assertThat(f.clock.instant()).isBefore(started.plusSeconds(120));
        }

        // engine-a stops; engine-b gets the deploy once engine-a's lease has run out
        var second = f.engine("engine-b");
        assertThat(f.runUntilDone(second, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);

        assertThat(restarting(id)).singleElement().satisfies(r -> assertThat(r.restarts())
                .isEqualTo(2.0));
        assertThat(f.audited(id, "canary.restarts")).hasSize(1);
    }

    /** A small change of checkout, advanced into its canary. */
    private long canaryOfCheckout(DeployPipeline engine) {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        long id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:r", "checkout", "1.1.0", "U0DEV"));
        var d = engine.advance(id).orElseThrow();
        assertThat(d.state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    private Instant canaryStart(long id) {
        return f.deploys.transitions(id).stream()
                .filter(t -> t.to() == DeployState.CANARY)
                .findFirst()
                .orElseThrow()
                .at();
    }

    private void restartsAt(Instant canaryStart, long second, double restarts) {
        canaryRestarts.put(canaryStart.getEpochSecond() + second, restarts);
    }

    private List<DeployNotice.CanaryRestarting> restarting(long id) {
        return f.notices.stream()
                .filter(n -> n instanceof DeployNotice.CanaryRestarting r
                        && r.deploy().id() == id)
                .map(n -> (DeployNotice.CanaryRestarting) n)
                .toList();
    }

    /** {@code metrics}, with {@link #canaryRestarts} in the canary's samples. */
    private MetricsSource restarting(MetricsSource metrics) {
        return new MetricsSource() {
            @Override
            public List<IntervalSample> samples(MetricsQuery q) {
                long from = q.from().getEpochSecond();
                return metrics.samples(q).stream()
                        .map(s -> {
                            var r = canaryRestarts.get(from + s.t());
                            if (r == null) {
                                return s;
                            }
                            var c = s.canary();
                            return new IntervalSample(
                                    s.t(),
                                    s.baseline(),
                                    new TrackSample(c.requests(), c.errors(), c.p50Ms(), c.p99Ms(), r));
                        })
                        .toList();
            }

            @Override
            public List<TrackSample> track(MetricsQuery q, String track) {
                return metrics.track(q, track);
            }

            @Override
            public boolean isOnline() {
                return metrics.isOnline();
            }
        };
    }
}

package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A canary judged on the samples it froze: revisions in the metrics store do not reach judged intervals. */
class FrozenSamplesTest {
    static final AtomicInteger DB = new AtomicInteger();
    static final Duration INTERVAL = Duration.ofSeconds(10);

    Database db;
    PipelineFixture f;
    Revising source;

    /**
     * The simulated metrics with every query recorded, and, once {@link #reviseBefore} is set, every interval that
     * starts before it revised: all of the canary's requests failed (a late scrape that, re-read, would roll back).
     */
    static final class Revising implements MetricsSource {
        final MetricsSource real;
        final List<MetricsQuery> queries = new CopyOnWriteArrayList<>();
        /** The queries of one track alone (the stable track before a first canary). */
        final List<MetricsQuery> trackQueries = new CopyOnWriteArrayList<>();

        volatile Instant reviseBefore = Instant.MIN;

        Revising(MetricsSource real) {
            this.real = real;
        }

        @Override
        public List<IntervalSample> samples(MetricsQuery query) {
            queries.add(query);
            var out = new ArrayList<IntervalSample>();
            for (var s : real.samples(query)) {
                var c = s.canary();
                boolean revised = query.from().plusSeconds(s.t()).isBefore(reviseBefore);
                out.add(
                        revised
                                ? new IntervalSample(
                                        s.t(),
                                        s.baseline(),
                                        new TrackSample(c.requests(), c.requests(), c.p50Ms(), c.p99Ms(), 3))
                                : s);
            }
            return out;
        }

        /** One track's samples, revised as {@link #samples} revises the canary's (the stable track is not revised). */
        @Override
        public List<TrackSample> track(MetricsQuery query, String track) {
            trackQueries.add(query);
            var out = new ArrayList<TrackSample>();
            var read = real.track(query, track);
            for (int i = 0; i < read.size(); i++) {
                var s = read.get(i);
                boolean revised = track.equals("canary")
                        && query.from().plus(query.interval().multipliedBy(i)).isBefore(reviseBefore);
                out.add(revised ? new TrackSample(s.requests(), s.requests(), s.p50Ms(), s.p99Ms(), 3) : s);
            }
            return out;
        }

        @Override
        public boolean isOnline() {
            return true;
        }
    }

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:frozen" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
        source = new Revising(f.metrics);
        f.metricsSource = source;
    }

    @AfterEach
    void close() {
        db.close();
    }

    long canary(DeployPipeline engine) {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    Instant canaryStart(long id) {
        return f.deploys.transitions(id).stream()
                .filter(t -> t.to() == DeployState.CANARY)
                .findFirst()
                .orElseThrow()
                .at();
    }

    /** Ticks {@code engine} every interval, {@code times} times, checking the canary goes on. */
    void tick(DeployPipeline engine, long id, int times) {
        for (int i = 0; i < times; i++) {
            f.clock.advance(INTERVAL);
            assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        }
    }

    @Test
    void aRevisionOfAnIntervalFrozenBeforeIsNeverJudgedOnAnyReplica() {
        var engine = f.engine("engine-a");
        long id = canary(engine);
        tick(engine, id, 5);
        var frozen = f.deploys.frozenSamples(id);
        assertThat(frozen).hasSize(5); // 6 intervals ended; the newest is not settled yet
        assertThat(frozen).extracting(IntervalSample::t).containsExactly(0L, 10L, 20L, 30L, 40L);

        // Prometheus revises the frozen intervals: re-read, the canary failed every request in them
        source.reviseBefore = canaryStart(id).plusSeconds(50);
        assertThat(source.samples(new MetricsQuery("checkout", "shop", canaryStart(id), f.clock.instant(), INTERVAL))
                        .getFirst()
                        .canary()
                        .errors())
                .isPositive();

        // ... and another replica takes the deploy over (and judges it from scratch) when the first one stops
        f.deploys.releaseLease(id, "engine-a");
        var other = f.engine("engine-b");
        var done = f.runUntilDone(other, id, Duration.ofMinutes(20));

        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(f.deploys.frozenSamples(id).subList(0, 5)).isEqualTo(frozen);
        var actions = new ArrayList<String>();
        f.audit.scan(
                AuditQuery.all().withDeploy(Long.toString(id)),
                e -> actions.add(e.record().action()));
        assertThat(actions).contains("canary.promote").doesNotContain("canary.rollback");
    }

    @Test
    void eachEvaluationAsksTheMetricsStoreOnlyForTheIntervalsAfterTheFrozenOnesWithTimesFromTheCanaryStart() {
        var engine = f.engine("engine-a");
        long id = canary(engine);
        var start = canaryStart(id);
        source.queries.clear();
        tick(engine, id, 6);

        assertThat(source.queries).hasSize(6);
        // the first evaluation read the first interval (nothing to freeze yet); each one since reads the interval
        // that was not settled last time and the one that just ended, never more
        for (int i = 0; i < 6; i++) {
            var q = source.queries.get(i);
            assertThat(q.from()).isEqualTo(start.plusSeconds(i * 10L));
            assertThat(q.to()).isEqualTo(start.plusSeconds(i * 10L + 20));
        }
        // what was frozen is what a read of the whole canary from its start gives, numbered from the start
        var frozen = f.deploys.frozenSamples(id);
        assertThat(frozen).hasSize(6);
        var whole = f.metrics.samples(new MetricsQuery("checkout", "shop", start, f.clock.instant(), INTERVAL));
        assertThat(frozen).isEqualTo(whole.subList(0, 6));
    }
}

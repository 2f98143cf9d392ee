package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.StableTrackReading;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's first canary starts from the noise of its stable track before it, read once and stored: every later
 * judgement, a restarted engine and another replica judge from the stored reading, and its decision's audit entry says
 * where the history came from, so that {@code analyze run --db} replays it.
 */
class FirstCanaryStableTrackTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Database db;
    String url;
    PipelineFixture f;
    Watching source;

    /** The simulated metrics with every read of one track recorded, and the stable track's answer replaceable. */
    static final class Watching implements MetricsSource {
        final MetricsSource real;
        final List<String> tracks = new CopyOnWriteArrayList<>();
        final List<MetricsQuery> trackQueries = new CopyOnWriteArrayList<>();
        /** What the stable track answers instead of the simulator's, when set; it may throw. */
        volatile Function<MetricsQuery, List<TrackSample>> stable;

        Watching(MetricsSource real) {
            this.real = real;
        }

        @Override
        public List<IntervalSample> samples(MetricsQuery query) {
            return real.samples(query);
        }

        @Override
        public List<TrackSample> track(MetricsQuery query, String track) {
            tracks.add(track);
            trackQueries.add(query);
            var instead = stable;
            return instead != null && track.equals(STABLE) ? instead.apply(query) : real.track(query, track);
        }

        @Override
        public boolean isOnline() {
            return true;
        }
    }

    void open(String config) {
        url = "jdbc:h2:file:" + dir.resolve("hm");
        db = Database.open(DatabaseConfig.of(url));
        f = new PipelineFixture(db, config);
        source = new Watching(f.metrics);
        f.metricsSource = source;
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    long request(DeployPipeline engine, String key, String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        return PipelineFixture.acceptedId(engine, PipelineFixture.slackRequest(key, "checkout", version, "U0DEV"));
    }

    Instant canaryStart(long id) {
        return f.deploys.transitions(id).stream()
                .filter(t -> t.to() == DeployState.CANARY)
                .findFirst()
                .orElseThrow()
                .at();
    }

    /** The reasoning of the deploy's canary decision (canary.promote or canary.rollback). */
    JsonNode decision(long id) throws Exception {
        var entries = new ArrayList<String>();
        for (var action : List.of("canary.promote", "canary.rollback")) {
            f.audited(id, action).forEach(r -> entries.add(r.reasoningJson()));
        }
        assertThat(entries).hasSize(1);
        return JSON.readTree(entries.getFirst());
    }

    void tick(DeployPipeline engine, long id, int times) {
        for (int i = 0; i < times; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        }
    }

    @Test
    void aFirstCanaryReadsItsStableTrackOnceAndALaterCanaryStartsFromTheKeptNoiseInstead() throws Exception {
        open(PipelineFixture.CONFIG);
        var engine = f.engine("engine-a");
        long first = request(engine, "slack:1", "1.1.0");
        Deploy done = f.runUntilDone(engine, first, Duration.ofMinutes(20));
        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);

        // read once, over the ten minutes before the canary started, in its intervals
        assertThat(source.tracks).containsExactly(MetricsSource.STABLE);
        var query = source.trackQueries.getFirst();
        var start = canaryStart(first);
        assertThat(query.service()).isEqualTo("checkout");
        assertThat(query.namespace()).isEqualTo("shop");
        assertThat(query.from()).isEqualTo(start.minus(Duration.ofMinutes(10)));
        assertThat(query.to()).isEqualTo(start);
        assertThat(query.interval()).isEqualTo(Duration.ofSeconds(10));

        var stored = f.deploys.stableTrackReading(first).orElseThrow();
        assertThat(stored).isInstanceOf(StableTrackReading.Read.class);
        var read = (StableTrackReading.Read) stored;
        assertThat(read.intervals()).isEqualTo(60);
        assertThat(read.noise().known()).isTrue();

        // the decision says where its history came from, with the window, and its evidence says so truly
        var entry = decision(first);
        var history = entry.get(CanaryNoise.AUDIT_KEY);
        assertThat(history.has(CanaryNoise.AUDIT_SOURCES)).isFalse();
        var window = history.get(CanaryNoise.AUDIT_STABLE_TRACK);
        assertThat(window.get("from").asText())
                .isEqualTo(start.minus(Duration.ofMinutes(10)).toString());
        assertThat(window.get("to").asText()).isEqualTo(start.toString());
        assertThat(window.get("intervals").asInt()).isEqualTo(60);
        assertThat(history.get("p50").get("values").asInt())
                .isEqualTo(read.noise().p50().values());
        assertThat(history.get("p50").get("variance").asDouble())
                .isCloseTo(read.noise().p50().variance(), withPercentage(1e-9));
        assertThat(entry.toString())
                .contains("noise level known from the stable track before the canary")
                .doesNotContain("noise level known from earlier canaries");

        // the next canary of the service starts from the noise the first one kept: no stable track, nothing stored
        long second = request(engine, "slack:2", "1.2.0");
        assertThat(f.runUntilDone(engine, second, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(source.tracks).hasSize(1);
        assertThat(f.deploys.stableTrackReading(second)).isEmpty();
        var later = decision(second).get(CanaryNoise.AUDIT_KEY);
        assertThat(later.has(CanaryNoise.AUDIT_STABLE_TRACK)).isFalse();
        assertThat(later.get(CanaryNoise.AUDIT_SOURCES).toString()).contains("\"deploy\":" + first);
        assertThat(decision(second).toString()).contains("noise level known from earlier canaries");

        // an auditor replays the first canary's decision from the database, as the pipeline judged it
        db.close();
        db = null;
        var config = Files.writeString(dir.resolve("harbormaster.yml"), PipelineFixture.CONFIG);
        var run = AnalyzeRunFromDatabaseTest.cli(
                "analyze",
                "run",
                "--db",
                url,
                "--deploy",
                Long.toString(first),
                "--config",
                config.toString(),
                "--json");
        assertThat(run.code()).as(run.err()).isZero();
        var report = JSON.readTree(run.out());
        assertThat(report.get("verdict").asText()).isEqualTo("PROMOTE");
        assertThat(report.get("decided_at_s").asLong())
                .isEqualTo(entry.get("at_s").asLong());
        var replayed = report.get("noise_history");
        assertThat(replayed.get("source").asText()).isEqualTo("stable_track");
        assertThat(replayed.get(CanaryNoise.AUDIT_STABLE_TRACK)).isEqualTo(window);
        var text = AnalyzeRunFromDatabaseTest.cli(
                "analyze", "run", "--db", url, "--deploy", Long.toString(first), "--config", config.toString());
        assertThat(text.out())
                .contains("history:  latency noise of the stable track from " + start.minus(Duration.ofMinutes(10))
                        + " to " + start + " (60 intervals with data)");
    }

    @Test
    void aRestartedEngineAndAnotherReplicaJudgeFromTheStoredReadingWithoutReadingTheTrackAgain() throws Exception {
        open(PipelineFixture.CONFIG);
        var engine = f.engine("engine-a");
        long id = request(engine, "slack:1", "1.1.0");
        engine.advance(id);
        tick(engine, id, 3);
        var stored = (StableTrackReading.Read) f.deploys.stableTrackReading(id).orElseThrow();
        assertThat(source.tracks).hasSize(1);

        // from now on the stable track would read otherwise (a much noisier service): whoever re-read it would judge
        // the canary from another history
        var noisier = new java.util.SplittableRandom(3);
        source.stable = q -> {
            var out = new ArrayList<TrackSample>();
            for (int i = 0; i < 60; i++) {
                double p50 = 40 * Math.exp(0.3 * noisier.nextGaussian());
                out.add(new TrackSample(1600, 8, p50, p50 * 4 * Math.exp(0.5 * noisier.nextGaussian()), 0));
            }
            return out;
        };
        // the engine restarts: it remembers nothing
        var restarted = f.engine("engine-a");
        tick(restarted, id, 3);
        // it stops; another replica takes the deploy over once its lease has run out
        f.clock.advance(Duration.ofSeconds(40));
        var replica = f.engine("engine-b");
        var done = f.runUntilDone(replica, id, Duration.ofMinutes(20));
        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);

        assertThat(source.tracks).hasSize(1);
        assertThat(f.deploys.stableTrackReading(id)).contains(stored);
        var history = decision(id).get(CanaryNoise.AUDIT_KEY);
        assertThat(history.get("p50").get("values").asInt())
                .isEqualTo(stored.noise().p50().values());
        assertThat(history.get("p99").get("variance").asDouble())
                .isCloseTo(stored.noise().p99().variance(), withPercentage(1e-9));
        assertThat(history.get(CanaryNoise.AUDIT_STABLE_TRACK).get("from").asText())
                .isEqualTo(stored.from().toString());
    }

    @Test
    void aMetricsStoreThatCannotGiveTheStableTrackLeavesTheCanaryAsAFirstCanaryWasAndIsNotAskedAgain()
            throws Exception {
        open(PipelineFixture.CONFIG);
        source.stable = q -> {
            throw new MetricsUnavailable("Prometheus at http://prometheus:9090 failed: connection refused");
        };
        var engine = f.engine("engine-a");
        long id = request(engine, "slack:1", "1.1.0");
        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);

        assertThat(source.tracks).containsExactly(MetricsSource.STABLE); // once, not at every interval
        var stored = f.deploys.stableTrackReading(id).orElseThrow();
        assertThat(stored).isInstanceOf(StableTrackReading.NotRead.class);
        assertThat(((StableTrackReading.NotRead) stored).why())
                .isEqualTo("the metrics store did not answer: Prometheus at http://prometheus:9090 failed:"
                        + " connection refused");
        assertThat(decision(id).has(CanaryNoise.AUDIT_KEY)).isFalse();
        // its noise is still kept for the service's next canary
        assertThat(f.deploys.canaryNoise("checkout", 5)).hasSize(1);
    }

    @Test
    void aStableTrackWithTooLittleDataIsStoredAsNotReadWithWhy() throws Exception {
        open(PipelineFixture.CONFIG);
        source.stable = q -> Collections.nCopies(60, TrackSample.NO_DATA);
        var engine = f.engine("engine-a");
        long id = request(engine, "slack:1", "1.1.0");
        engine.advance(id);
        tick(engine, id, 4);

        var stored =
                (StableTrackReading.NotRead) f.deploys.stableTrackReading(id).orElseThrow();
        assertThat(stored.why())
                .startsWith(
                        "too little data: 0 of the window's 60 intervals had requests and both latency" + " quantiles")
                .endsWith("none at all: do the stable Deployment's pods carry the label track: stable (in its pod"
                        + " template) that the metrics templates' {track} selects?");
        assertThat(stored.to()).isEqualTo(canaryStart(id));
        assertThat(source.tracks).hasSize(1);
    }

    @Test
    void aServiceThatTurnsItOffNeverReadsItsStableTrack() throws Exception {
        open(PipelineFixture.CONFIG.replace("""
                  checkout:
                    namespace: shop
                """, """
                  checkout:
                    namespace: shop
                    canary:
                      sequential: {stable_noise_minutes: 0}
                """));
        var engine = f.engine("engine-a");
        long id = request(engine, "slack:1", "1.1.0");
        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
        assertThat(source.tracks).isEmpty();
        assertThat(f.deploys.stableTrackReading(id)).isEmpty();
        assertThat(decision(id).has(CanaryNoise.AUDIT_KEY)).isFalse();
    }

    @Test
    void aCanaryJudgedBeforeAnyReadingWasStoredIsNotGivenAHistoryMidway() throws Exception {
        open(PipelineFixture.CONFIG);
        var engine = f.engine("engine-a");
        long id = request(engine, "slack:1", "1.1.0");
        engine.advance(id);
        tick(engine, id, 4);
        assertThat(f.deploys.frozenSamples(id)).isNotEmpty();
        // as a canary started on a Harbormaster from before readings were stored: samples frozen, no reading
        db.dsl().deleteFrom(DSL.table("canary_stable_noise")).execute();
        source.tracks.clear();

        var upgraded = f.engine("engine-a");
        assertThat(f.runUntilDone(upgraded, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
        assertThat(source.tracks).isEmpty();
        var stored =
                (StableTrackReading.NotRead) f.deploys.stableTrackReading(id).orElseThrow();
        assertThat(stored.why()).startsWith("samples of the canary were frozen before its stable track was read");
        assertThat(decision(id).has(CanaryNoise.AUDIT_KEY)).isFalse();
    }
}

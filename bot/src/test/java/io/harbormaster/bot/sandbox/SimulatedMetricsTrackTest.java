package io.harbormaster.bot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.StableTrackNoise;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The sandbox's simulated metrics read one track alone, the stable one included, as Prometheus would. */
class SimulatedMetricsTrackTest {
    static final RolloutTarget WEB = new RolloutTarget("shop", "web", "web");
    static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void theStableTrackServesItsPodsShareAtItsVersionsLatencyAndReadsTheSameEveryTime() {
        var cluster = new SimulatedCluster();
        cluster.install(WEB, "registry.example/web:1.0.0", 10);
        var metrics = new SimulatedMetrics(cluster, s -> WEB, 200, 7);
        var window = new MetricsQuery("web", "shop", T.minus(Duration.ofMinutes(10)), T, Duration.ofSeconds(10));

        var stable = metrics.track(window, MetricsSource.STABLE);
        assertThat(stable).hasSize(60);
        // all of the traffic (200 requests a second, 10 s), lognormal around 40 ms
        assertThat(stable).allSatisfy(s -> {
            assertThat(s.requests()).isBetween(1800.0, 2200.0);
            assertThat(s.p50Ms()).isBetween(35.0, 45.0);
            assertThat(s.p99Ms()).isGreaterThan(s.p50Ms());
        });
        assertThat(StableTrackNoise.of(stable).known()).isTrue();
        // an interval is remembered: read again, from another start, the same numbers
        assertThat(metrics.track(window, MetricsSource.STABLE)).isEqualTo(stable);
        var later = new MetricsQuery("web", "shop", T.minus(Duration.ofMinutes(5)), T, Duration.ofSeconds(10));
        assertThat(metrics.track(later, MetricsSource.STABLE)).isEqualTo(stable.subList(30, 60));

        // no canary or baseline yet: their tracks are no data, as samples() says
        assertThat(metrics.track(window, "baseline")).containsOnly(TrackSample.NO_DATA);
        assertThat(metrics.track(window, "canary"))
                .isEqualTo(metrics.samples(window).stream()
                        .map(IntervalSample::canary)
                        .toList());

        // the stable version's fault shows on its track
        metrics.inject("web", "1.0.0", Fault.slower(2));
        var slower = metrics.track(
                new MetricsQuery("web", "shop", T, T.plus(Duration.ofMinutes(1)), Duration.ofSeconds(10)),
                MetricsSource.STABLE);
        assertThat(slower).allSatisfy(s -> assertThat(s.p50Ms()).isBetween(70.0, 90.0));
    }

    @Test
    void anUnknownTrackIsRefusedAndAnOutageFailsAsEveryReadDoes() {
        var cluster = new SimulatedCluster();
        cluster.install(WEB, "registry.example/web:1.0.0", 4);
        var metrics = new SimulatedMetrics(cluster, s -> WEB, 200, 7);
        var q = new MetricsQuery("web", "shop", T, T.plus(Duration.ofMinutes(1)), Duration.ofSeconds(10));
        assertThatThrownBy(() -> metrics.track(q, "stabel"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no track 'stabel' (stable, baseline or canary)");
        metrics.outage("the test stopped it");
        assertThatThrownBy(() -> metrics.track(q, MetricsSource.STABLE))
                .isInstanceOf(MetricsUnavailable.class)
                .hasMessageContaining("the test stopped it");
    }
}

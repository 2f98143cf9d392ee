package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.canary.bench.Fault;
import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A decision's noise history as its audit entry shows it, read back to replay the decision as it was made. */
class CanaryNoiseAuditTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Scenario NORMAL = new Scenario("normal", 200, 0.005, 0.35, false, false, false, Fault.NONE);
    static final Scenario SLOWER = new Scenario(
            "latency +25%", 200, 0.005, 0.35, false, false, false, new Fault(Fault.Kind.LATENCY_TIMES, 1.25, false));

    static CanaryNoise throughJson(CanaryNoise noise) throws Exception {
        String text = JSON.writeValueAsString(noise.auditFields());
        return CanaryNoise.fromAuditFields(JSON.readValue(text, Map.class));
    }

    static List<IntervalSample> slowerFromTheStart(long seed) {
        var generator = new TrafficGenerator(SLOWER, 0, seed);
        var series = new ArrayList<IntervalSample>();
        // the default schedule's first step throughout: what the pipeline would read while the canary is small
        for (int k = 0; k < 18; k++) {
            series.add(generator.next(10L * k, 5));
        }
        return series;
    }

    @Test
    void anAuditedHistoryReadBackJudgesEveryIntervalAsTheHistoryItWasWrittenFrom() throws Exception {
        CanaryNoise history = LatencyNoiseHistoryTest.earlierCanaries(NORMAL, 7);
        assertThat(history.known()).isTrue();
        assertThat(history.bursts().sensitivity()).isPositive();
        CanaryNoise back = throughJson(history);
        assertThat(back.p50().values()).isEqualTo(history.p50().values());
        assertThat(back.p50().variance()).isCloseTo(history.p50().variance(), withPercentage(1e-9));
        assertThat(back.spread().mean()).isEqualTo(history.spread().mean());
        assertThat(back.bursts()).isEqualTo(history.bursts());

        var policy = CanaryPolicy.defaults();
        int sooner = 0, later = 0;
        for (long seed = 1; seed <= 10; seed++) {
            var series = slowerFromTheStart(seed);
            AnalysisReport original = CanaryAnalysis.replay(series, policy, history);
            AnalysisReport replayed = CanaryAnalysis.replay(series, policy, back);
            AnalysisReport first = CanaryAnalysis.replay(series, policy);
            assertThat(replayed.decision()).isEqualTo(original.decision()).isEqualTo("ROLLBACK");
            assertThat(replayed.verdict().at()).isEqualTo(original.verdict().at());
            assertThat(replayed.latencyHistoryKept()).isEqualTo(original.latencyHistoryKept());
            for (int i = 0; i < original.timeline().size(); i++) {
                assertThat(replayed.timeline().get(i).p50EValue())
                        .isCloseTo(original.timeline().get(i).p50EValue(), withPercentage(1e-6));
            }
            assertThat(first.latencyHistoryKept()).isFalse();
            if (original.verdict().at() < first.verdict().at()) {
                sooner++;
            } else if (original.verdict().at() > first.verdict().at()) {
                later++;
            }
        }
        // the history is why an audited decision came sooner than a first canary's would: a replay must use it
        assertThat(sooner)
                .as("sooner %d, later %d", sooner, later)
                .isGreaterThanOrEqualTo(5)
                .isGreaterThan(2 * later);
    }

    @Test
    void noHistoryHasNoAuditFieldsAndOnlyTheErrorBurstsAreWrittenWhenThatIsAllThereIs() throws Exception {
        assertThat(CanaryNoise.NONE.auditFields()).isEmpty();
        assertThat(CanaryNoise.fromAuditFields(Map.of())).isEqualTo(CanaryNoise.NONE);
        var bursts = new CanaryNoise(
                CanaryNoise.Reading.NONE,
                CanaryNoise.Reading.NONE,
                CanaryNoise.Spread.NONE,
                new CanaryNoise.Bursts(3.5, 12, 40));
        assertThat(bursts.auditFields()).containsOnlyKeys("error_bursts");
        assertThat(throughJson(bursts)).isEqualTo(bursts);
    }

    @Test
    void aDamagedHistoryIsRefusedNamingThePlaceAndWhatItShouldBe() throws Exception {
        String good = "{\"p50\":{\"values\":30,\"variance\":0.5},\"p99\":{\"values\":30,\"variance\":2.4},"
                + "\"spread\":1.46,\"error_bursts\":{\"excess\":1.0,\"sensitivity\":10.0,\"noise\":30.0},"
                + "\"latency_history_kept\":true}";
        assertThat(read(good).p99().values()).isEqualTo(30);
        // each damage: the text replaced, its replacement, and what the refusal must say
        String[][] damages = {
            {"\"p99\":{\"values\":30,\"variance\":2.4},", "", "noise_history.p99 is missing"},
            {
                "\"values\":30,\"variance\":0.5",
                "\"values\":-3,\"variance\":0.5",
                "noise_history.p50.values must be a whole number from 0 to 2147483647, got -3"
            },
            {
                "\"values\":30,\"variance\":0.5",
                "\"values\":2.5,\"variance\":0.5",
                "noise_history.p50.values must be a whole number"
            },
            {
                "\"values\":30,\"variance\":0.5",
                "\"values\":3000000000,\"variance\":0.5",
                "must be a whole number from 0 to 2147483647, got 3000000000"
            },
            {"\"variance\":2.4", "\"variance\":\"2.4\"", "noise_history.p99.variance must be a finite number, got 2.4"},
            {"\"variance\":2.4", "\"variance\":0", "noise_history.p99.variance must be above 0"},
            {"\"spread\":1.46", "\"spread\":-5", "noise_history.spread must be 0 or more"},
            {"\"spread\":1.46", "\"spred\":1.46", "unknown key 'spred'"},
            {"\"sensitivity\":10.0", "\"sensitivity\":-1", "noise_history.error_bursts: error bursts need"},
            {"\"noise\":30.0", "\"nois\":30.0", "noise_history.error_bursts has an unknown key 'nois'"},
            {"\"p50\":{\"values\":30,\"variance\":0.5}", "\"p50\":[30,0.5]", "noise_history.p50 must be an object"},
        };
        for (String[] d : damages) {
            assertThat(good).contains(d[0]);
            refused(good.replace(d[0], d[1]), d[2]);
        }
    }

    @Test
    void aHistoryReadFromTheStableTrackSaysItsWindowAndReplaysWithItsWords() throws Exception {
        var stable = new ArrayList<TrackSample>();
        var generator = new TrafficGenerator(NORMAL, Double.POSITIVE_INFINITY, 21);
        for (int i = 60; i > 0; i--) {
            stable.add(generator.next(-10L * i, 100).baseline());
        }
        CanaryNoise history = StableTrackNoise.of(stable);
        assertThat(history.known()).isTrue();
        var window = new StableTrackNoise.Window(
                java.time.Instant.parse("2026-11-24T09:50:00Z"), java.time.Instant.parse("2026-11-24T10:00:00Z"), 60);
        var fields = new java.util.LinkedHashMap<String, Object>(history.auditFields());
        fields.put("latency_history_kept", true);
        fields.put(CanaryNoise.AUDIT_STABLE_TRACK, window.auditFields());
        Map<?, ?> entry = JSON.readValue(JSON.writeValueAsString(fields), Map.class);

        CanaryNoise back = CanaryNoise.fromAuditFields(entry);
        assertThat(back.p50().values()).isEqualTo(history.p50().values());
        assertThat(back.p99().variance()).isCloseTo(history.p99().variance(), withPercentage(1e-9));
        assertThat(CanaryNoise.stableTrackIn(entry)).contains(window);
        assertThat(CanaryNoise.sourceIn(entry)).isEqualTo(NoiseSource.STABLE_TRACK);
        assertThat(CanaryNoise.sourceIn(Map.of("from_deploys", List.of()))).isEqualTo(NoiseSource.EARLIER_CANARIES);

        // the evidence says where the noise level was known from, in the pipeline as in a replay
        var series = slowerFromTheStart(3);
        var report = CanaryAnalysis.replay(series, CanaryPolicy.defaults(), back, CanaryNoise.sourceIn(entry));
        assertThat(report.decision()).isEqualTo("ROLLBACK");
        assertThat(report.verdict().evidence().getFirst().reason())
                .contains("(noise level known from the stable track before the canary)");
        assertThat(CanaryAnalysis.replay(series, CanaryPolicy.defaults(), back)
                        .verdict()
                        .evidence()
                        .getFirst()
                        .reason())
                .contains("(noise level known from earlier canaries)");
    }

    @Test
    void aStableTrackWindowThatIsDamagedOrBesideEarlierCanariesIsRefused() throws Exception {
        String good = "{\"p50\":{\"values\":30,\"variance\":0.5},\"p99\":{\"values\":30,\"variance\":2.4},"
                + "\"spread\":1.46,\"latency_history_kept\":true,\"from_stable_track\":{\"from\":"
                + "\"2026-11-24T09:50:00Z\",\"to\":\"2026-11-24T10:00:00Z\",\"intervals\":58}}";
        assertThat(read(good).p50().values()).isEqualTo(30);
        String window = "{\"from\":\"2026-11-24T09:50:00Z\",\"to\":\"2026-11-24T10:00:00Z\",\"intervals\":58}";
        String[][] damages = {
            {"\"intervals\":58", "\"intervals\":58,\"minutes\":10", "noise_history.from_stable_track has an unknown key"
            },
            {"\"2026-11-24T09:50:00Z\"", "\"09:50\"", "noise_history.from_stable_track.from must be an instant"},
            {"\"intervals\":58", "\"intervals\":\"58\"", "noise_history.from_stable_track.intervals must be a whole"},
            {"\"from_stable_track\":{", "\"from_deploys\":[],\"from_stable_track\":{", "not both"},
            {window, "true", "noise_history.from_stable_track must be an object"},
        };
        for (String[] d : damages) {
            assertThat(good).contains(d[0]);
            refused(good.replace(d[0], d[1]), d[2]);
        }
    }

    static CanaryNoise read(String json) throws Exception {
        return CanaryNoise.fromAuditFields(JSON.readValue(json, Map.class));
    }

    static void refused(String json, String message) {
        assertThatThrownBy(() -> read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}

package io.harbormaster.engine.adapters.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.adapters.prometheus.SyntheticCanarySeries.Truth;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against a real Prometheus holding backfilled synthetic canary series. */
class PrometheusMetricsSourceAgainstRealPrometheusTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final int INTERVALS = 12;
    private static final int GAP = 7;
    /** A couple of hours ago, on a whole minute: well inside what Prometheus serves, never in the future. */
    private static final Instant FROM =
            Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));

    private static final Instant TO = FROM.plus(INTERVAL.multipliedBy(INTERVALS));
    /** A label value that would break out of a naively built query, with a regex metacharacter for the pod regex. */
    private static final String AWKWARD = "pay\"ments.v2";

    private static SyntheticCanarySeries data;
    private static RealPrometheus prometheus;
    private static PrometheusMetricsSource source;

    @BeforeAll
    static void startPrometheusWithSyntheticCanaries(@TempDir Path dir) throws IOException {
        if (!RealPrometheus.installed()) {
            return; // each test then reports itself skipped (or failed under CI=true), see requirePrometheus
        }
        data = new SyntheticCanarySeries(FROM, INTERVAL, INTERVALS)
                // Healthy baseline; no 5xx ever, so its errors must come back as 0 (not "no data").
                .deploy("checkout", "shop", i -> new Truth(200 * (2 + i % 3), 0, 1, 3, 0, true), i -> canary(i, 1))
                .deploy(AWKWARD, "shop", i -> new Truth(400, 2, 0, 2, 0, true), i -> canary(i, 2))
                // Same service name in another namespace, and a pod an unquoted regex "pay\"ments.v2" would match.
                .deploy("checkout", "staging", i -> new Truth(1000, 10, 4, 5, 2, true), i -> canary(i, 5))
                .pod("shop", "pay\"mentsXv2-canary-66b9d-abcde", i -> 100);
        prometheus = RealPrometheus.start(data.openMetrics(), dir);
        source = new PrometheusMetricsSource(PrometheusConfig.of(prometheus.url()));
    }

    /**
     * The canary: no traffic yet in interval 0, errors that come and go, p50 alternating between 100 and 250 ms,
     * p99 jumping from 500 ms to 2.5 s from interval 6, restarts in intervals 4 and 9, and a scrape gap in
     * interval {@value #GAP}.
     */
    private static Truth canary(int i, int scale) {
        int requests = i == 0 ? 0 : 200 * scale * (1 + i % 2);
        int errors = i == 0 ? 0 : 2 * scale * (i % 4);
        int restarts = i == 4 ? 2 * scale : i == 9 ? 4 * scale : 0;
        return new Truth(requests, errors, i % 2 == 0 ? 1 : 2, i < 6 ? 3 : 5, restarts, i != GAP);
    }

    @BeforeEach
    void requirePrometheus() {
        RealPrometheus.assumeInstalled();
    }

    @AfterAll
    static void stopPrometheus() {
        if (source != null) {
            source.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void theAdapterReadsBackExactlyTheGeneratedValuesOfEveryInterval() {
        List<IntervalSample> samples = source.samples(new MetricsQuery("checkout", "shop", FROM, TO, INTERVAL));

        assertSamples(data.expected("checkout", "shop"), samples);
        // Spot checks that the scenario is what it claims, so the comparison above is not vacuous.
        assertTrue(Double.isNaN(samples.get(0).canary().p99Ms()), "no traffic, no latency");
        assertEquals(0.0, samples.get(0).canary().requests());
        assertEquals(0.0, samples.get(3).baseline().errors(), "no 5xx series at all reads as 0 errors");
        assertEquals(TrackSample.NO_DATA, samples.get(GAP).canary(), "the scrape gap is no data");
        assertEquals(200.0, samples.get(GAP + 1).canary().requests(), "the interval after the gap is whole again");
        assertEquals(2500.0, samples.get(6).canary().p99Ms(), 1e-9);
    }

    @Test
    void aServiceNameWithAQuoteAndARegexMetacharacterReadsOnlyItsOwnSeries() {
        List<IntervalSample> samples = source.samples(new MetricsQuery(AWKWARD, "shop", FROM, TO, INTERVAL));

        assertSamples(data.expected(AWKWARD, "shop"), samples);
    }

    @Test
    void theSameServiceInAnotherNamespaceIsReadSeparately() {
        assertSamples(
                data.expected("checkout", "staging"),
                source.samples(new MetricsQuery("checkout", "staging", FROM, TO, INTERVAL)));
    }

    @Test
    void aWindowThatIsNotAlignedToTheDataStillReadsWholeIntervalsFromItsStart() {
        // Two intervals of 60 s starting at the data's interval 2: each is the sum of two generated intervals.
        Instant from = FROM.plus(INTERVAL.multipliedBy(2));
        List<IntervalSample> samples = source.samples(
                new MetricsQuery("checkout", "shop", from, from.plusSeconds(150), Duration.ofSeconds(60)));

        List<IntervalSample> fine = data.expected("checkout", "shop");
        assertEquals(2, samples.size(), "the trailing 30 s are not a whole interval");
        assertEquals(
                fine.get(2).baseline().requests() + fine.get(3).baseline().requests(),
                samples.get(0).baseline().requests());
        assertEquals(
                fine.get(4).canary().restarts() + fine.get(5).canary().restarts(),
                samples.get(1).canary().restarts());
        assertEquals(60, samples.get(1).t());
    }

    @Test
    void intervalsBeforeAnyDataAreNoData() {
        List<IntervalSample> samples = source.samples(
                new MetricsQuery("checkout", "shop", FROM.minus(Duration.ofMinutes(10)), FROM, INTERVAL));

        assertEquals(20, samples.size());
        assertTrue(samples.stream()
                .allMatch(s ->
                        s.baseline().equals(TrackSample.NO_DATA) && s.canary().equals(TrackSample.NO_DATA)));
    }

    @Test
    void aWindowOfMoreIntervalsThanPrometheusServesInOneQueryIsReadInPieces() {
        // Prometheus refuses a range query of more than 11,000 points; this window has 11,006 intervals.
        int intervals = 11_006;
        Instant from = FROM.minusSeconds(intervals - 2);
        List<IntervalSample> samples = source.samples(
                new MetricsQuery("checkout", "shop", from, from.plusSeconds(intervals), Duration.ofSeconds(1)));

        assertEquals(intervals, samples.size());
        assertEquals(intervals - 1, samples.getLast().t());
        // The last two one-second intervals reach into the data; a [1s] window holds at most one of its samples.
        assertTrue(samples.stream().allMatch(s -> Double.isNaN(s.baseline().requests())));
    }

    @Test
    void aTemplatePrometheusCannotParseFailsWithPrometheusOwnError() {
        PromQlTemplates broken = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.P99, "histogram_quantile(0.99, sum by (le) (rate(x{track=\"{track}\"}[{interval}]))");
        try (var misconfigured = new PrometheusMetricsSource(
                PrometheusConfig.of(prometheus.url()), PromQlTemplates.DEFAULTS, Map.of("checkout", broken))) {
            var e = assertThrows(
                    MetricsUnavailable.class,
                    () -> misconfigured.samples(new MetricsQuery("checkout", "shop", FROM, TO, INTERVAL)));

            assertTrue(
                    e.getMessage()
                            .startsWith("Prometheus at " + prometheus.url() + "/api/v1/query_range failed"
                                    + " for query `histogram_quantile(0.99, sum by (le) (rate(x{track=\"baseline\"}[30s]))`:"
                                    + " HTTP 400, bad_data: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("parse error"), e.getMessage());
        }
    }

    @Test
    void aRunningPrometheusIsOnline() {
        assertTrue(source.isOnline());
    }

    /** Equal interval by interval and field by field; NaN only where NaN is expected, values to 1e-9. */
    private static void assertSamples(List<IntervalSample> expected, List<IntervalSample> actual) {
        assertEquals(expected.size(), actual.size(), "number of intervals");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            IntervalSample e = expected.get(i);
            IntervalSample a = actual.get(i);
            if (e.t() != a.t()) {
                differences.add("interval " + i + ": t " + a.t() + " instead of " + e.t());
            }
            compare(differences, i, "baseline", e.baseline(), a.baseline());
            compare(differences, i, "canary", e.canary(), a.canary());
        }
        assertTrue(
                differences.isEmpty(), "differences from the generated data:\n  " + String.join("\n  ", differences));
    }

    private static void compare(List<String> out, int i, String track, TrackSample e, TrackSample a) {
        String[] names = {"requests", "errors", "p50Ms", "p99Ms", "restarts"};
        double[] want = {e.requests(), e.errors(), e.p50Ms(), e.p99Ms(), e.restarts()};
        double[] got = {a.requests(), a.errors(), a.p50Ms(), a.p99Ms(), a.restarts()};
        for (int f = 0; f < names.length; f++) {
            boolean same = Double.isNaN(want[f])
                    ? Double.isNaN(got[f])
                    : Math.abs(want[f] - got[f]) <= 1e-9 * Math.max(1, Math.abs(want[f]));
            if (!same) {
                out.add("interval " + i + " " + track + " " + names[f] + ": " + got[f] + " instead of " + want[f]);
            }
        }
    }
}

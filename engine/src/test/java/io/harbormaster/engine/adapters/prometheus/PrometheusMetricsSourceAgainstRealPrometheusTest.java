package io.harbormaster.engine.adapters.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.adapters.prometheus.SyntheticCanarySeries.Truth;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
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

    /** Counters scraped every 15 s at jittered times, backfilled; read in intervals of 40 s (and 60 s). */
    private static final Instant JITTERED_FROM = FROM.plus(Duration.ofMinutes(30));
    /** Counters with failed scrapes, pushed by remote write (backfill cannot write staleness markers). */
    private static final Instant STALE_FROM = FROM.plus(Duration.ofMinutes(90));

    private static final Duration SCRAPE = Duration.ofSeconds(15);
    private static final String REQUESTS = "http_requests_total";
    private static final String RESTARTS = "kube_pod_container_status_restarts_total";

    private static SyntheticCanarySeries data;
    private static ScrapedCounters jittered;
    private static ScrapedCounters stale;
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
                // Its stable Deployment: all of the traffic, some errors, a scrape gap, pods named after it.
                .stable("checkout", "shop", StableTrack::truth)
                .deploy(AWKWARD, "shop", i -> new Truth(400, 2, 0, 2, 0, true), i -> canary(i, 2))
                // Same service name in another namespace, and a pod an unquoted regex "pay\"ments.v2" would match.
                .deploy("checkout", "staging", i -> new Truth(1000, 10, 4, 5, 2, true), i -> canary(i, 5))
                .pod("shop", "pay\"mentsXv2-canary-66b9d-abcde", i -> 100);
        jittered = jitteredCounters();
        stale = countersWithFailedScrapes();
        prometheus = RealPrometheus.start(
                data.openMetrics(jittered.openMetrics()), dir, "--web.enable-remote-write-receiver");
        RemoteWrite.push(prometheus.url(), stale.remoteWrite());
        source = new PrometheusMetricsSource(PrometheusConfig.of(prometheus.url()));
    }

    private static Map<String, String> requestLabels(String namespace, String track, String pod, String code) {
        return Map.of("namespace", namespace, "service", "cart", "track", track, "pod", pod, "code", code);
    }

    private static Map<String, String> restartLabels(String namespace, String pod) {
        return Map.of("namespace", namespace, "pod", pod, "container", "app");
    }

    /**
     * Service {@code cart} in namespace {@code jitter}: two baseline pods, one of which restarts (its counters
     * reset), and a canary pod whose 5xx series appears with its first errors, joined by a second canary pod midway.
     * Every target is scraped every 15 s with its own phase and jitter; kube-state-metrics is one more target.
     */
    private static ScrapedCounters jitteredCounters() {
        Instant from = JITTERED_FROM.minus(Duration.ofMinutes(2));
        Instant until = JITTERED_FROM.plus(Duration.ofMinutes(11));
        ScrapedCounters c = new ScrapedCounters(SCRAPE, 42);
        // Scrape 8 is about the window's start; the reset and the new series come well inside the window.
        c.target(from, until, Duration.ofSeconds(3))
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "baseline", "cart-baseline-6f9-b1", "200"),
                        0,
                        250_000,
                        c.events(20, 60),
                        Set.of())
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "baseline", "cart-baseline-6f9-b1", "500"),
                        0,
                        900,
                        c.events(0, 2),
                        Set.of());
        c.target(from, until, Duration.ofSeconds(8))
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "baseline", "cart-baseline-6f9-b2", "200"),
                        0,
                        180_000,
                        c.events(20, 60),
                        Set.of(21))
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "baseline", "cart-baseline-6f9-b2", "503"),
                        0,
                        700,
                        c.events(0, 2),
                        Set.of(21));
        c.target(from, until, Duration.ofSeconds(11))
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "canary", "cart-canary-5c4-c1", "200"),
                        0,
                        5_000,
                        c.events(20, 60),
                        Set.of())
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "canary", "cart-canary-5c4-c1", "500"),
                        14,
                        2,
                        c.events(0, 3),
                        Set.of());
        c.target(from, until, Duration.ofSeconds(5))
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "canary", "cart-canary-5c4-c2", "200"),
                        25,
                        37,
                        c.events(20, 60),
                        Set.of())
                .counter(
                        REQUESTS,
                        requestLabels("jitter", "canary", "cart-canary-5c4-c2", "500"),
                        30,
                        1,
                        c.events(0, 3),
                        Set.of());
        c.target(from, until, Duration.ofSeconds(9))
                .counter(RESTARTS, restartLabels("jitter", "cart-baseline-6f9-b1"), 0, 3, k -> 0, Set.of())
                .counter(
                        RESTARTS, restartLabels("jitter", "cart-baseline-6f9-b2"), 0, 0, k -> k == 22 ? 1 : 0, Set.of())
                .counter(RESTARTS, restartLabels("jitter", "cart-canary-5c4-c1"), 0, 0, k -> k == 33 ? 2 : 0, Set.of())
                .counter(RESTARTS, restartLabels("jitter", "cart-canary-5c4-c2"), 25, 0, k -> 0, Set.of());
        return c;
    }

    /**
     * Service {@code cart} in namespace {@code stale}: the baseline's first pod fails the last scrape before the
     * window's 160th second, its second pod goes away at 250 s (a staleness marker, as when its target disappears),
     * and the canary's only pod fails every scrape from 300 s to 370 s, a whole 40 s interval without a sample.
     */
    private static ScrapedCounters countersWithFailedScrapes() {
        Instant from = STALE_FROM.minus(Duration.ofMinutes(2));
        Instant until = STALE_FROM.plus(Duration.ofMinutes(9));
        ScrapedCounters c = new ScrapedCounters(SCRAPE, 7);
        ScrapedCounters.Target b1 = c.target(from, until, Duration.ofSeconds(4));
        b1.fail(b1.lastAtOrBefore(STALE_FROM.plusSeconds(160)))
                .counter(
                        REQUESTS,
                        requestLabels("stale", "baseline", "cart-baseline-6f9-b1", "200"),
                        0,
                        250_000,
                        c.events(20, 60),
                        Set.of())
                .counter(
                        REQUESTS,
                        requestLabels("stale", "baseline", "cart-baseline-6f9-b1", "500"),
                        0,
                        900,
                        c.events(0, 2),
                        Set.of());
        ScrapedCounters.Target b2 = c.target(from, STALE_FROM.plusSeconds(265), Duration.ofSeconds(10));
        b2.fail(b2.scrapes() - 1)
                .counter(
                        REQUESTS,
                        requestLabels("stale", "baseline", "cart-baseline-6f9-b2", "200"),
                        0,
                        180_000,
                        c.events(20, 60),
                        Set.of());
        c.target(from, until, Duration.ofSeconds(7))
                .failBetween(STALE_FROM.plusSeconds(300), STALE_FROM.plusSeconds(370))
                .counter(
                        REQUESTS,
                        requestLabels("stale", "canary", "cart-canary-5c4-c1", "200"),
                        0,
                        5_000,
                        c.events(20, 60),
                        Set.of())
                .counter(
                        REQUESTS,
                        requestLabels("stale", "canary", "cart-canary-5c4-c1", "500"),
                        0,
                        20,
                        c.events(0, 3),
                        Set.of());
        c.target(from, until, Duration.ofSeconds(9))
                .counter(RESTARTS, restartLabels("stale", "cart-baseline-6f9-b1"), 0, 0, k -> 0, Set.of())
                .counter(RESTARTS, restartLabels("stale", "cart-canary-5c4-c1"), 0, 1, k -> k == 30 ? 1 : 0, Set.of());
        return c;
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
        // A gap in backfilled data has no staleness marker, and the sample at the gap's start lies in its range: its
        // counts read 0, and the first scrape after it sees them (400 in the gap, 200 after). Real failed scrapes:
        // countsAroundFailedScrapesAreExactAndAWholeIntervalWithoutAScrapeIsNoData.
        assertEquals(
                new TrackSample(0, 0, Double.NaN, Double.NaN, 0),
                samples.get(GAP).canary());
        assertEquals(600.0, samples.get(GAP + 1).canary().requests(), "the interval after the gap has both counts");
        assertEquals(2500.0, samples.get(6).canary().p99Ms(), 1e-9);
    }

    /** The stable track of checkout in shop: ten times the baseline's traffic, and a scrape gap in interval 9. */
    private static final class StableTrack {
        static Truth truth(int i) {
            return new Truth(2000 * (2 + i % 3), 4 * (i % 3), i % 2, 3 + i % 2, 2 * (i % 2), i != 9);
        }
    }

    @Test
    void theStableTrackIsReadWithTheSameTemplatesAsTheOthersWithTrackStable() {
        var query = new MetricsQuery("checkout", "shop", FROM, TO, INTERVAL);
        List<TrackSample> stable = source.track(query, MetricsSource.STABLE);

        assertTracks(data.expectedTrack("checkout", "shop", "stable"), stable);
        assertEquals(4000.0, stable.get(0).requests());
        assertEquals(new TrackSample(0, 0, Double.NaN, Double.NaN, Double.NaN), stable.get(9), "the gap");
        assertEquals(4000.0 + 6000.0, stable.get(10).requests(), "the interval after the gap has both counts");
        // the stable pods are named after their Deployment, not <service>-stable-...: their restarts are no data
        assertTrue(stable.stream().allMatch(s -> Double.isNaN(s.restarts())));
        // the other tracks alone read as samples() reads them side by side
        List<IntervalSample> both = source.samples(query);
        assertTracks(both.stream().map(IntervalSample::baseline).toList(), source.track(query, "baseline"));
        assertTracks(both.stream().map(IntervalSample::canary).toList(), source.track(query, "canary"));
        // a service without a stable track in Prometheus reads as no data, not as an error
        assertTrue(source.track(new MetricsQuery(AWKWARD, "shop", FROM, TO, INTERVAL), MetricsSource.STABLE).stream()
                .allMatch(s -> Double.isNaN(s.requests())));
    }

    private static void assertTracks(List<TrackSample> expected, List<TrackSample> actual) {
        assertEquals(expected.size(), actual.size(), "number of intervals");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            compare(differences, i, "track", expected.get(i), actual.get(i));
        }
        assertTrue(
                differences.isEmpty(), "differences from the generated data:\n  " + String.join("\n  ", differences));
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
    void intervalsBeforeAnyDataAreNoDataAndTheFirstSamplesCountAsNewSeries() {
        List<IntervalSample> samples = source.samples(
                new MetricsQuery("checkout", "shop", FROM.minus(Duration.ofMinutes(10)), FROM, INTERVAL));

        assertEquals(20, samples.size());
        assertTrue(samples.subList(0, 19).stream()
                .allMatch(s ->
                        s.baseline().equals(TrackSample.NO_DATA) && s.canary().equals(TrackSample.NO_DATA)));
        // The last interval ends on the series' first samples. With nothing before them they count as new series,
        // created at 0, so their whole values are counted there: right for a new pod, an overcount for a process
        // Prometheus only starts to scrape late (a documented limit of the exact counts).
        assertEquals(
                new TrackSample(100_000, 0, Double.NaN, Double.NaN, 1),
                samples.getLast().baseline());
        assertEquals(
                new TrackSample(101_000, 1_000, Double.NaN, Double.NaN, 1),
                samples.getLast().canary());
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
        // Only the last three one-second intervals reach the data, in the second chunk: the first ends on the first
        // sample (counted whole, as a new series'), the second holds no sample but the one at its start (Prometheus 2
        // ranges include their start: 0), the last none at all (the next scrape is 15 s later).
        double[] requests =
                samples.stream().mapToDouble(s -> s.baseline().requests()).toArray();
        for (int i = 0; i < intervals - 3; i++) {
            assertTrue(Double.isNaN(requests[i]), "interval " + i + ": " + requests[i]);
        }
        assertEquals(100_000.0, requests[intervals - 3]);
        assertEquals(0.0, requests[intervals - 2]);
        assertTrue(Double.isNaN(requests[intervals - 1]));
    }

    /**
     * Scrapes every 15 s, jittered, read in 40 s intervals (and 60 s ones): each interval's count is exactly the
     * events its scrapes saw, through a counter reset, a new pod and a 5xx series that appears with its first errors,
     * and the counts add up to the counters' growth. {@code increase()} would not give these numbers.
     */
    @Test
    void countsAreTheExactEventsEachIntervalSawWhenScrapesDoNotLineUpWithIntervals() {
        for (Duration interval : List.of(Duration.ofSeconds(40), Duration.ofSeconds(60))) {
            int intervals = (int) (Duration.ofMinutes(10).toSeconds() / interval.toSeconds());
            Instant to = JITTERED_FROM.plus(interval.multipliedBy(intervals));
            List<IntervalSample> samples =
                    source.samples(new MetricsQuery("cart", "jitter", JITTERED_FROM, to, interval));

            assertSamples(expected(jittered, "jitter", JITTERED_FROM, interval, intervals), samples);
            for (String track : List.of("baseline", "canary")) {
                assertEquals(
                        jittered.growth(REQUESTS, track(track), JITTERED_FROM, to),
                        samples.stream()
                                .mapToDouble(s -> sample(s, track).requests())
                                .sum(),
                        track + " requests add up to the counters' growth over " + interval);
                assertEquals(
                        jittered.growth(REQUESTS, track(track).and(ERRORS), JITTERED_FROM, to),
                        samples.stream()
                                .mapToDouble(s -> sample(s, track).errors())
                                .sum(),
                        track + " errors add up to the counters' growth over " + interval);
                assertEquals(
                        jittered.growth(RESTARTS, pods(track), JITTERED_FROM, to),
                        samples.stream()
                                .mapToDouble(s -> sample(s, track).restarts())
                                .sum(),
                        track + " restarts add up to the counters' growth over " + interval);
            }
        }
    }

    @Test
    void increaseWouldHaveScaledTheseCountsToFractions() {
        Duration interval = Duration.ofSeconds(40);
        Instant to = JITTERED_FROM.plus(Duration.ofMinutes(10));
        PromQlTemplates withIncrease = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.REQUESTS,
                "sum(increase(http_requests_total{namespace=\"{namespace}\",service=\"{service}\","
                        + "track=\"{track}\"}[{interval}]))");
        try (var old = new PrometheusMetricsSource(
                PrometheusConfig.of(prometheus.url()), PromQlTemplates.DEFAULTS, Map.of("cart", withIncrease))) {
            double[] extrapolated =
                    old.samples(new MetricsQuery("cart", "jitter", JITTERED_FROM, to, interval)).stream()
                            .mapToDouble(s -> s.baseline().requests())
                            .toArray();
            double[] exact = jittered.perInterval(
                    REQUESTS, track("baseline"), track("baseline"), JITTERED_FROM, interval, extrapolated.length);

            long fractional = Arrays.stream(extrapolated)
                    .filter(v -> Math.abs(v - Math.rint(v)) > 1e-6)
                    .count();
            double worst = 0;
            for (int i = 0; i < exact.length; i++) {
                worst = Math.max(worst, Math.abs(extrapolated[i] - exact[i]) / exact[i]);
            }
            String figures = "exact " + Arrays.toString(exact) + ", increase() " + Arrays.toString(extrapolated);
            assertTrue(fractional >= exact.length / 2, "most of increase()'s counts are fractions: " + figures);
            // Each window is scaled by its own factor (its span over its samples' span), so intervals come out too
            // high or too low; over many intervals the errors roughly cancel, which hides them in the total.
            assertTrue(worst > 0.1, "some of increase()'s counts are off by more than 10%: " + figures);
        }
    }

    /**
     * Real scrape failures leave staleness markers. A failed scrape just before an interval's start neither loses the
     * events around it nor lets the counter's whole value in; a pod that goes away keeps its last scrapes' events; a
     * track with no working scrape in a whole interval is no data, and the next scrape that works sees what it missed.
     */
    @Test
    void countsAroundFailedScrapesAreExactAndAWholeIntervalWithoutAScrapeIsNoData() {
        Duration interval = Duration.ofSeconds(40);
        int intervals = 12;
        Instant to = STALE_FROM.plus(interval.multipliedBy(intervals));
        List<IntervalSample> samples = source.samples(new MetricsQuery("cart", "stale", STALE_FROM, to, interval));

        List<IntervalSample> expected = expected(stale, "stale", STALE_FROM, interval, intervals);
        assertSamples(expected, samples);
        assertTrue(Double.isNaN(samples.get(8).canary().requests()), "(320 s, 360 s] had no working canary scrape");
        assertEquals(1.0, samples.get(8).canary().restarts(), "kube-state-metrics still saw the canary");
        for (String track : List.of("baseline", "canary")) {
            assertEquals(
                    stale.growth(REQUESTS, track(track), STALE_FROM, to),
                    samples.stream()
                            .mapToDouble(s -> sample(s, track).requests())
                            .filter(Double::isFinite)
                            .sum(),
                    track + " requests add up to the counters' growth");
        }

        // The plain difference x - x offset {interval} sees the marker at the 160 s start as "no series then", and
        // its "or x" fallback for new series then counts the whole counter.
        String x = "http_requests_total{namespace=\"{namespace}\",service=\"{service}\",track=\"{track}\"}";
        PromQlTemplates plainDifference = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.REQUESTS, "sum(((" + x + " - " + x + " offset {interval}) >= 0) or " + x + ")");
        try (var plain = new PrometheusMetricsSource(
                PrometheusConfig.of(prometheus.url()), PromQlTemplates.DEFAULTS, Map.of("cart", plainDifference))) {
            double overcounted = plain.samples(new MetricsQuery("cart", "stale", STALE_FROM, to, interval))
                    .get(4)
                    .baseline()
                    .requests();
            assertTrue(overcounted > 250_000, "the plain difference read " + overcounted);
            assertTrue(samples.get(4).baseline().requests() < 2_000, "the exact count read " + samples.get(4));
        }
    }

    private static final Predicate<Map<String, String>> ERRORS =
            labels -> labels.get("code").startsWith("5");

    private static Predicate<Map<String, String>> track(String track) {
        return labels -> track.equals(labels.get("track"));
    }

    private static Predicate<Map<String, String>> pods(String track) {
        return labels -> labels.get("pod").startsWith("cart-" + track + "-");
    }

    private static TrackSample sample(IntervalSample s, String track) {
        return track.equals("baseline") ? s.baseline() : s.canary();
    }

    /**
     * What the adapter must read for service {@code cart} in {@code namespace}: the events each interval's scrapes
     * saw; errors 0 when requests were seen without a 5xx, and no data without any working scrape; no latencies.
     */
    private static List<IntervalSample> expected(
            ScrapedCounters counters, String namespace, Instant from, Duration interval, int intervals) {
        TrackSample[][] tracks = new TrackSample[2][];
        List<String> names = List.of("baseline", "canary");
        for (int t = 0; t < 2; t++) {
            String track = names.get(t);
            double[] requests = counters.perInterval(REQUESTS, track(track), track(track), from, interval, intervals);
            double[] errors =
                    counters.perInterval(REQUESTS, track(track).and(ERRORS), track(track), from, interval, intervals);
            double[] restarts = counters.perInterval(RESTARTS, pods(track), pods(track), from, interval, intervals);
            tracks[t] = new TrackSample[intervals];
            for (int i = 0; i < intervals; i++) {
                tracks[t][i] = new TrackSample(requests[i], errors[i], Double.NaN, Double.NaN, restarts[i]);
            }
        }
        List<IntervalSample> out = new ArrayList<>();
        for (int i = 0; i < intervals; i++) {
            out.add(new IntervalSample(i * interval.toSeconds(), tracks[0][i], tracks[1][i]));
        }
        return out;
    }

    @Test
    void aTemplatePrometheusCannotParseFailsWithPrometheusOwnError() {
        // a regular expression that does not compile: the template's shape and words are checked when it is read,
        // what its label matchers' regular expressions say only by Prometheus
        PromQlTemplates broken = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.P99,
                "histogram_quantile(0.99, sum by (le) (rate(x{track=\"{track}\",pod=~\"(\"}[{interval}])))");
        try (var misconfigured = new PrometheusMetricsSource(
                PrometheusConfig.of(prometheus.url()), PromQlTemplates.DEFAULTS, Map.of("checkout", broken))) {
            var e = assertThrows(
                    MetricsUnavailable.class,
                    () -> misconfigured.samples(new MetricsQuery("checkout", "shop", FROM, TO, INTERVAL)));

            assertTrue(
                    e.getMessage()
                            .startsWith("Prometheus at " + prometheus.url() + "/api/v1/query_range failed"
                                    + " for query `histogram_quantile(0.99, sum by (le) (rate(x{track=\"baseline\",pod=~\"(\"}[30s])))`:"
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

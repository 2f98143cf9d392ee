package io.harbormaster.engine.adapters.prometheus;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Canary and baseline metrics from Prometheus (and the stable track's, which the pipeline reads before a service's
 * first canary): for each metric and track one {@code query_range} whose step is the analysis interval, the track
 * given to the templates as {@code {track}}.
 *
 * <p>Interval {@code i} covers {@code (from + i·interval, from + (i+1)·interval]} and is read by evaluating its
 * template at the interval's end, so the default count templates read exactly the events the interval's scrapes saw
 * ({@link PromQlTemplates#exactCount}). Only whole intervals are returned (a trailing part shorter than the interval
 * is left for the next call). A point Prometheus does not return (no series, no sample in the interval, too few
 * samples for a latency) or returns as {@code NaN} is {@code NaN} here, never zero. A template that yields more than one series is refused with {@link MetricsUnavailable} rather than
 * summed, because the sum of two p99s is meaningless and two request counters usually mean a missing {@code sum}.
 */
public final class PrometheusMetricsSource implements MetricsSource, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PrometheusMetricsSource.class.getName());

    /** Points per range query; Prometheus refuses more than 11,000, so longer ranges are read in chunks. */
    static final int MAX_POINTS_PER_QUERY = 10_000;

    private static final List<String> TRACKS = List.of("baseline", "canary");
    private static final CanaryMetric[] METRICS = CanaryMetric.values();

    private final PrometheusHttpApi api;
    private final PromQlTemplates defaults;
    private final java.util.function.Function<String, java.util.Optional<PromQlTemplates>> perService;

    /** Reads every service with {@link PromQlTemplates#DEFAULTS}. */
    public PrometheusMetricsSource(PrometheusConfig config) {
        this(config, PromQlTemplates.DEFAULTS, Map.of());
    }

    /**
     * @param defaults the templates of every service without its own
     * @param perService a service's own templates, by service name (build them with {@link PromQlTemplates#with})
     */
    public PrometheusMetricsSource(
            PrometheusConfig config, PromQlTemplates defaults, Map<String, PromQlTemplates> perService) {
        this(config, defaults, lookup(Map.copyOf(perService)));
    }

    private static java.util.function.Function<String, java.util.Optional<PromQlTemplates>> lookup(
            Map<String, PromQlTemplates> perService) {
        return service -> java.util.Optional.ofNullable(perService.get(service));
    }

    /**
     * @param defaults the templates of every service without its own
     * @param perService a service's own templates, if it has any, asked at each query that does not name its own
     *     ({@link MetricsQuery#metricTemplates()}), so that the templates of a reloaded configuration are used from
     *     then on
     */
    public PrometheusMetricsSource(
            PrometheusConfig config,
            PromQlTemplates defaults,
            java.util.function.Function<String, java.util.Optional<PromQlTemplates>> perService) {
        this.api = new PrometheusHttpApi(Objects.requireNonNull(config, "Prometheus config"));
        this.defaults = Objects.requireNonNull(defaults, "default PromQL templates");
        this.perService = Objects.requireNonNull(perService, "per-service PromQL templates");
    }

    /** The templates used for {@code service} now. */
    public PromQlTemplates templatesFor(String service) {
        return perService.apply(service).orElse(defaults);
    }

    /**
     * The templates a query is read by: the ones its canary started with, when it names them (the service's own over
     * the defaults), else the ones used for its service now.
     *
     * @throws MetricsUnavailable when the templates the canary started with are not valid templates (any more)
     */
    PromQlTemplates templatesFor(MetricsQuery query) {
        if (query.metricTemplates().isEmpty()) {
            return templatesFor(query.service());
        }
        try {
            return defaults.with(query.metricTemplates().get());
        } catch (IllegalArgumentException e) {
            throw new MetricsUnavailable("the metrics templates " + query.service()
                    + "'s canary started with cannot be used: " + e.getMessage());
        }
    }

    @Override
    public List<IntervalSample> samples(MetricsQuery query) {
        int n = wholeIntervals(query);
        double[][] baseline = readTrack(query, TRACKS.get(0), n);
        double[][] canary = readTrack(query, TRACKS.get(1), n);
        long stepMillis = query.interval().toMillis();
        List<IntervalSample> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(new IntervalSample(i * stepMillis / 1000, sample(baseline, i), sample(canary, i)));
        }
        return List.copyOf(samples);
    }

    /** One track's intervals, read with the same templates as {@link #samples} reads each of its two. */
    @Override
    public List<TrackSample> track(MetricsQuery query, String track) {
        if (track == null || track.isBlank()) {
            throw new IllegalArgumentException("Prometheus metrics: name the track to read (stable, baseline, canary)");
        }
        int n = wholeIntervals(query);
        double[][] values = readTrack(query, track, n);
        List<TrackSample> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(sample(values, i));
        }
        return List.copyOf(samples);
    }

    /** How many whole intervals the query's range holds; refuses an interval that is not whole seconds. */
    private static int wholeIntervals(MetricsQuery query) {
        long stepMillis = query.interval().toMillis();
        if (query.interval().toNanosPart() % 1_000_000_000 != 0 || stepMillis % 1000 != 0) {
            throw new IllegalArgumentException(
                    "Prometheus metrics: the interval must be a whole number of seconds, got " + query.interval());
        }
        long wholeIntervals = (query.to().toEpochMilli() - query.from().toEpochMilli()) / stepMillis;
        if (wholeIntervals > 1_000_000) {
            throw new IllegalArgumentException("Prometheus metrics: " + wholeIntervals + " intervals of "
                    + query.interval().toSeconds() + " s between " + query.from() + " and " + query.to()
                    + " are too many to read (at most 1000000)");
        }
        return (int) wholeIntervals;
    }

    /** Every metric of one track, each for intervals 0..n-1 (indexed by {@link CanaryMetric#ordinal()}). */
    private double[][] readTrack(MetricsQuery query, String track, int n) {
        PromQlTemplates templates = templatesFor(query);
        double[][] values = new double[METRICS.length][];
        for (CanaryMetric metric : METRICS) {
            String promql = templates.render(metric, query.service(), query.namespace(), track, query.interval());
            values[metric.ordinal()] = read(
                    promql,
                    metric,
                    track,
                    query.from().toEpochMilli(),
                    query.interval().toMillis(),
                    n);
        }
        return values;
    }

    /** One metric of one track for intervals 0..n-1, NaN where Prometheus has no point. */
    private double[] read(String promql, CanaryMetric metric, String track, long fromMillis, long stepMillis, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (int first = 0; first < n; first += MAX_POINTS_PER_QUERY) {
            int last = Math.min(n, first + MAX_POINTS_PER_QUERY) - 1;
            // Interval i is evaluated at its end: from + (i + 1) * step.
            long start = fromMillis + (first + 1) * stepMillis;
            long end = fromMillis + (last + 1) * stepMillis;
            List<PrometheusHttpApi.Series> series = api.queryRange(promql, start, end, stepMillis);
            if (series.size() > 1) {
                throw new MetricsUnavailable("PromQL for " + metric.configName() + " of the " + track + " returned "
                        + series.size() + " series (" + labelSets(series) + "), but a template must aggregate to"
                        + " one series, e.g. with sum(...); query: " + promql);
            }
            for (PrometheusHttpApi.Series s : series) {
                for (PrometheusHttpApi.Point p : s.points()) {
                    long offset = p.epochMillis() - start;
                    long index = first + offset / stepMillis;
                    if (offset % stepMillis != 0 || index < first || index > last) {
                        throw new MetricsUnavailable("PromQL for " + metric.configName() + " of the " + track
                                + " came back with a point at " + p.epochMillis() + " ms, off the requested grid"
                                + " (start " + start + " ms, step " + stepMillis + " ms, end " + end
                                + " ms); does the store align queries to the step? query: " + promql);
                    }
                    out[(int) index] = p.value();
                }
            }
        }
        return out;
    }

    private static TrackSample sample(double[][] track, int i) {
        return new TrackSample(
                track[CanaryMetric.REQUESTS.ordinal()][i],
                track[CanaryMetric.ERRORS.ordinal()][i],
                track[CanaryMetric.P50.ordinal()][i],
                track[CanaryMetric.P99.ordinal()][i],
                track[CanaryMetric.RESTARTS.ordinal()][i]);
    }

    private static String labelSets(List<PrometheusHttpApi.Series> series) {
        String shown = series.stream().limit(3).map(s -> s.labels().toString()).collect(Collectors.joining(", "));
        return series.size() > 3 ? shown + ", ..." : shown;
    }

    /**
     * What a trivial query says of the way to Prometheus now (one attempt, within the configured timeouts): empty when
     * it answers, else why not. {@code credentialsRefused} tells a 401 or 403 (the same credentials will be refused
     * again) from a Prometheus that is down or out of reach for now.
     */
    public Optional<Problem> access() {
        try {
            api.trivialQuery();
            return Optional.empty();
        } catch (PrometheusHttpApi.Refused e) {
            return Optional.of(new Problem(true, e.getMessage()));
        } catch (MetricsUnavailable e) {
            return Optional.of(new Problem(false, e.getMessage()));
        }
    }

    /** Why Prometheus did not answer (see {@link #access()}). */
    public record Problem(boolean credentialsRefused, String message) {}

    /** Whether Prometheus answers a trivial query now (one attempt, within the configured timeouts). */
    @Override
    public boolean isOnline() {
        var problem = access();
        problem.ifPresent(p -> LOG.log(System.Logger.Level.DEBUG, "Prometheus is not answering: {0}", p.message()));
        return problem.isEmpty();
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "PrometheusMetricsSource[" + PrometheusConfig.redacted(api.baseUrl()) + "]";
    }
}

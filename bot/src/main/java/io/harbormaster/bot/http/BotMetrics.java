package io.harbormaster.bot.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The bot's own metrics, served on {@code /metrics}. One registry per instance (not the global default), so tests and
 * several servers in one JVM do not share counts. Add a metric by adding a field and a method here.
 */
public final class BotMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Histogram ackSeconds = Histogram.builder()
            .name("harbormaster_slack_ack_seconds")
            .help("Time from receiving a Slack request to acknowledging it (Slack allows 3 s)")
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5)
            .register(registry);
    private final Counter commands = Counter.builder()
            .name("harbormaster_slack_commands_total")
            .help("Slash commands received, by command and subcommand")
            .labelNames("command", "subcommand")
            .register(registry);
    private final Counter actions = Counter.builder()
            .name("harbormaster_slack_actions_total")
            .help("Button clicks received, by action id")
            .labelNames("action")
            .register(registry);
    private final Counter slackApiErrors = Counter.builder()
            .name("harbormaster_slack_api_errors_total")
            .help("Slack Web API calls that failed, by method and Slack's error code")
            .labelNames("method", "error")
            .register(registry);
    private final Counter slackApiRetries = Counter.builder()
            .name("harbormaster_slack_api_retries_total")
            .help("Slack Web API calls retried after a 429 or a transient failure, by method")
            .labelNames("method")
            .register(registry);
    private final Counter deploys = Counter.builder()
            .name("harbormaster_deploys_total")
            .help(
                    "Deploys that ended, by outcome (promoted, rolled_back, rejected, expired, failed, stopped by a person"
                            + " before the cluster, and reverted for a revert of a promotion)")
            .labelNames("outcome")
            .register(registry);
    private final Counter escalations = Counter.builder()
            .name("harbormaster_escalations_total")
            .help("Deploys escalated to a human, by service")
            .labelNames("service")
            .register(registry);
    private final Counter rollbacks = Counter.builder()
            .name("harbormaster_rollbacks_total")
            .help("Rollbacks, by service and what triggered them (the judge whose rule fired, readiness for canary"
                    + " pods that never became ready, manual for a person's, or revert for a promotion a person"
                    + " reverted)")
            .labelNames("service", "trigger")
            .register(registry);
    private final Histogram analysisSeconds = Histogram.builder()
            .name("harbormaster_canary_analysis_seconds")
            .help("Time one evaluation of a canary took: reading its interval samples and judging them")
            .classicOnly()
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);

    private final Counter advice = Counter.builder()
            .name("harbormaster_advice_total")
            .help("Advice posted, by kind (context_package, incident_hypothesis) and who wrote it (model, template)")
            .labelNames("kind", "source")
            .register(registry);
    private final Counter adviceFallbacks = Counter.builder()
            .name("harbormaster_advice_fallbacks_total")
            .help("Advice whose configured model gave no usable answer, so the template text was posted, by kind and"
                    + " reason (timeout, rate_limited, error, malformed, empty, uncited, link)")
            .labelNames("kind", "reason")
            .register(registry);

    private final Counter configReloads = Counter.builder()
            .name("harbormaster_config_reloads_total")
            .help("Changes of harbormaster.yml serve found while running, by outcome (applied, or invalid: the"
                    + " configuration in force stayed)")
            .labelNames("outcome")
            .register(registry);
    private final Gauge configReloadFailed = Gauge.builder()
            .name("harbormaster_config_reload_failed")
            .help("1 while harbormaster.yml holds a change that cannot be used (serve goes on with the configuration"
                    + " in force), else 0")
            .register(registry);
    private final Gauge configLoaded = Gauge.builder()
            .name("harbormaster_config_loaded_timestamp_seconds")
            .help("When the configuration in force was loaded (at start, or by the last reload), in Unix seconds")
            .register(registry);

    public void ack(String kind, Duration took) {
        ackSeconds.labelValues(kind).observe(took.toNanos() / 1e9);
    }

    public void command(String command, String subcommand) {
        commands.labelValues(command, subcommand).inc();
    }

    public void action(String actionId) {
        actions.labelValues(actionId).inc();
    }

    public void slackApiError(String method, String error) {
        slackApiErrors.labelValues(method, error).inc();
    }

    public void slackApiRetry(String method) {
        slackApiRetries.labelValues(method).inc();
    }

    public void deployEnded(String outcome) {
        deploys.labelValues(outcome).inc();
    }

    public void escalated(String service) {
        escalations.labelValues(service).inc();
    }

    public void rolledBack(String service, String trigger) {
        rollbacks.labelValues(service, trigger).inc();
    }

    public void advice(String kind, String source) {
        advice.labelValues(kind, source).inc();
    }

    public void adviceFallback(String kind, String reason) {
        adviceFallbacks.labelValues(kind, reason).inc();
    }

    /** A reload of harbormaster.yml came to {@code outcome} (applied, invalid). */
    public void configReload(String outcome) {
        configReloads.labelValues(outcome).inc();
    }

    public void configReloadFailed(boolean failed) {
        configReloadFailed.set(failed ? 1 : 0);
    }

    /** The configuration in force was loaded at {@code at}: at start, and again by each reload that applied a file. */
    public void configLoaded(java.time.Instant at) {
        configLoaded.set(at.toEpochMilli() / 1000.0);
    }

    /** The file is watched for changes: both reload outcomes are shown from now on, at 0 or more. */
    public void configWatched() {
        configReloads.labelValues("applied");
        configReloads.labelValues("invalid");
    }

    public void analysis(Duration took) {
        analysisSeconds.observe(took.toNanos() / 1e9);
    }

    /**
     * The {@code deploy.events} outbox's figures, read at each scrape: {@code pending} events recorded but not yet
     * acknowledged by Kafka (the whole outbox's, the same on every replica), those of them this replica's version
     * found {@code unreadable} while it published, sends that {@code failed} and events {@code published} by this
     * replica. Registered once, when events go through the outbox (Kafka is configured).
     */
    public void deployEvents(
            LongSupplier pending, LongSupplier unreadable, LongSupplier failed, LongSupplier published) {
        GaugeWithCallback.builder()
                .name("harbormaster_deploy_events_pending")
                .help("deploy.events records waiting in the outbox: recorded with their state change, not yet"
                        + " acknowledged by Kafka")
                .callback(callback -> callback.call(pending.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("harbormaster_deploy_events_unreadable")
                .help(
                        "deploy.events records in the outbox that this replica's version cannot read (each holds back"
                                + " its deploy's later events until a replica that can read it publishes): 0 unless it publishes")
                .callback(callback -> callback.call(unreadable.getAsLong()))
                .register(registry);
        CounterWithCallback.builder()
                .name("harbormaster_deploy_events_failed_total")
                .help("Sends of deploy.events records that failed (each is retried from the outbox)")
                .callback(callback -> callback.call(failed.getAsLong()))
                .register(registry);
        CounterWithCallback.builder()
                .name("harbormaster_deploy_events_published_total")
                .help("deploy.events records this replica published and Kafka acknowledged")
                .callback(callback -> callback.call(published.getAsLong()))
                .register(registry);
    }

    /** The registry, for adapters that register their own collectors. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Content type of {@link #scrape()}. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Every metric in the Prometheus text format. */
    public byte[] scrape() {
        var out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.adapters.prometheus.PromQlTemplates;
import io.harbormaster.engine.adapters.prometheus.PrometheusConfig;
import io.harbormaster.engine.adapters.prometheus.PrometheusMetricsSource;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A running canary's metrics are read by the PromQL templates its service had when the canary started: a reloaded
 * harbormaster.yml with other templates reaches the canaries started after it, as its canary policies do.
 */
class CanaryKeepsItsMetricsTemplatesTest {
    static final AtomicInteger DB = new AtomicInteger();

    static String config(String histogram) {
        return PipelineFixture.CONFIG.replace("""
                  checkout:
                    namespace: shop
                    approvers: shop-approvers
                """, """
                  checkout:
                    namespace: shop
                    approvers: shop-approvers
                    metrics:
                      p99: 'histogram_quantile(0.99, sum by (le) (rate(%s{service="{service}",namespace="{namespace}",track="{track}"}[{interval}]))) * 1000'
                """.formatted(histogram));
    }

    Database db;
    PipelineFixture f;
    HttpServer prometheus;
    /** Every PromQL query the stand-in Prometheus was sent. */
    final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws IOException {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:templates" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db, config("checkout_seconds_bucket"));
        prometheus = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        prometheus.createContext("/", exchange -> {
            var form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (var pair : form.split("&")) {
                if (pair.startsWith("query=")) {
                    queries.add(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
                }
            }
            var body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        // as serve reads Prometheus (ServeCommand.metricsSource): each service's templates in the catalog in force
        f.metricsSource = new PrometheusMetricsSource(
                PrometheusConfig.of(
                        URI.create("http://127.0.0.1:" + prometheus.getAddress().getPort())),
                PromQlTemplates.DEFAULTS,
                name -> f.catalog
                        .service(name)
                        .filter(service -> !service.metricTemplates().isEmpty())
                        .map(service -> PromQlTemplates.DEFAULTS.with(service.metricTemplates())));
    }

    @AfterEach
    void close() {
        prometheus.stop(0);
        db.close();
    }

    long canary(DeployPipeline engine, String key, String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(engine, PipelineFixture.slackRequest(key, "checkout", version, "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    /** The p99 queries sent while {@code engine} judged the canary {@code times} more intervals. */
    List<String> p99Read(DeployPipeline engine, long id, int times) {
        queries.clear();
        for (int i = 0; i < times; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        }
        var p99 = queries.stream()
                .filter(q -> q.startsWith("histogram_quantile(0.99"))
                .toList();
        assertThat(p99).as("the canary's p99 was read").isNotEmpty();
        return p99;
    }

    @Test
    void aRunningCanaryIsReadByTheTemplatesItStartedWithAndTheNextCanaryByTheNewOnes() {
        var engine = f.engine("engine-a");
        long id = canary(engine, "slack:1", "1.1.0");
        assertThat(p99Read(engine, id, 2)).allSatisfy(q -> assertThat(q).contains("checkout_seconds_bucket"));
        assertThat(f.deploys.canaryPolicy(id).orElseThrow().metricTemplates().orElseThrow())
                .containsOnlyKeys("p99");

        // harbormaster.yml is reloaded with another histogram for checkout's p99
        f.catalog = ConfigLoader.parse("test.yml", config("checkout_latency_v2_bucket"))
                .catalog();

        // before: the running canary's next query was already the new one
        assertThat(p99Read(engine, id, 2))
                .allSatisfy(
                        q -> assertThat(q).contains("checkout_seconds_bucket").doesNotContain("v2"));
        // ... also on another replica, which takes the deploy over
        f.deploys.releaseLease(id, "engine-a");
        var other = f.engine("engine-b");
        assertThat(p99Read(other, id, 2))
                .allSatisfy(
                        q -> assertThat(q).contains("checkout_seconds_bucket").doesNotContain("v2"));

        // the canary ends; the next one starts with the templates configured now
        other.rollbackRequested("checkout", "U0ANN");
        f.runUntilDone(other, id, Duration.ofMinutes(5));
        long next = canary(other, "slack:2", "1.2.0");
        assertThat(p99Read(other, next, 2)).allSatisfy(q -> assertThat(q).contains("checkout_latency_v2_bucket"));
    }

    @Test
    void aFirstCanaryReadsItsStableTrackByTheTemplatesItStartedWith() {
        var engine = f.engine("engine-a");
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        assertThat(queries).as("nothing judged yet").isEmpty();
        // harbormaster.yml is reloaded with another histogram before the canary's first judgement, which reads the
        // stable track (checkout has no earlier canaries to take its noise from)
        f.catalog = ConfigLoader.parse("test.yml", config("checkout_latency_v2_bucket"))
                .catalog();
        f.clock.advance(Duration.ofSeconds(20));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        var stable = queries.stream()
                .filter(q -> q.startsWith("histogram_quantile(0.99") && q.contains("track=\"stable\""))
                .toList();
        // before: the stable track was read by the templates configured at that moment (v2)
        assertThat(stable).as("the stable track's p99 was read").isNotEmpty();
        assertThat(stable)
                .allSatisfy(
                        q -> assertThat(q).contains("checkout_seconds_bucket").doesNotContain("v2"));
    }
}

package io.harbormaster.bot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.CiDeployRequestParser;
import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.rollout.DeployState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CI deploy-request API: every answer it gives, over real HTTP. */
class DeployRequestsApiTest {
    static final String SECRET = "ci-secret-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BODY = """
            {"service":"checkout","version":"1.1.0","image":"registry.example/checkout:1.1.0",
             "commit_sha":"abcdef1234567","build_id":"b-1","ci_status":"success","auto_deploy":true,
             "change":{"la":5,"ld":1,"nf":1,"files":["src/App.java"]}}""";

    final HttpClient http = HttpClient.newHttpClient();
    final List<String> nudged = new CopyOnWriteArrayList<>();
    final Map<String, Long> seen = new HashMap<>();
    HttpServer server;

    /**
     * A handler that accepts new keys, reports repeats as duplicates, and refuses the service "locked"; the service
     * "failed" is a repeat of deploy #7, which preflight blocked, and "warned" is accepted with a warning.
     */
    final DeployRequestHandler handler = (CiDeployRequest request, String key) -> {
        if (request.service().equals("locked")) {
            return new DeployRequestHandler.Outcome.Refused("locked is locked by U1: incident 7");
        }
        if (request.service().equals("failed")) {
            return new DeployRequestHandler.Outcome.Duplicate(
                    OptionalLong.of(7),
                    Optional.of(new DeployRequestHandler.Standing(
                            DeployState.FAILED, "blocked by preflight: no lock: failed is locked by U1")),
                    List.of());
        }
        if (request.service().equals("warned")) {
            return new DeployRequestHandler.Outcome.Accepted(
                    OptionalLong.empty(), List.of("deploy #3 of warned 1.1.0 is in flight: not applied"));
        }
        synchronized (seen) {
            if (seen.containsKey(key)) {
                return new DeployRequestHandler.Outcome.Duplicate(OptionalLong.of(seen.get(key)));
            }
            seen.put(key, 41L + seen.size());
            return new DeployRequestHandler.Outcome.Accepted(OptionalLong.of(seen.get(key)));
        }
    };

    /** The route served as in production: by the bot's HTTP server, with its limit on every body. */
    String start(Optional<String> secret) {
        var api = new DeployRequestsApi(secret, handler, id -> nudged.add(Long.toString(id)), Clock.systemUTC());
        var bolt = new App(AppConfig.builder()
                .signingSecret("slack-secret")
                .singleTeamBotToken("xoxb-x")
                .build());
        server = new HttpServer(bolt, List.of(), new BotMetrics(), api::routes, Duration.ZERO).start("127.0.0.1", 0);
        return "http://127.0.0.1:" + server.port() + DeployRequestsApi.PATH;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> post(String url, String body, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        headers.forEach(request::header);
        return http.send(
                request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> signed(String body, long timestamp) {
        return Map.of(
                DeployRequestsApi.TIMESTAMP_HEADER,
                Long.toString(timestamp),
                DeployRequestsApi.SIGNATURE_HEADER,
                DeployRequestsApi.signature(SECRET, timestamp, body.getBytes(StandardCharsets.UTF_8)));
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void aSignedRequestIsAcceptedWith202AndItsRedeliveryIsADuplicateWith200() throws Exception {
        var url = start(Optional.of(SECRET));
        var first = post(url, BODY, signed(BODY, now()));
        assertThat(first.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(first.body());
        assertThat(body.path("deploy_id").asLong()).isEqualTo(41);
        assertThat(body.path("duplicate").asBoolean()).isFalse();
        assertThat(nudged).containsExactly("41");

        var again = post(url, BODY, signed(BODY, now()));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("duplicate").asBoolean()).isTrue();
        assertThat(JSON.readTree(again.body()).path("deploy_id").asLong()).isEqualTo(41);
    }

    @Test
    void aMalformedRequestIsRefusedWith400NamingEveryFieldProblem() throws Exception {
        var url = start(Optional.of(SECRET));
        var bad = "{\"service\":\"checkout\",\"version\":\"\",\"change\":{}}";
        var response = post(url, bad, signed(bad, now()));
        assertThat(response.statusCode()).isEqualTo(400);
        var problems = JSON.readTree(response.body()).path("problems");
        assertThat(problems.size()).isGreaterThan(1);
        var fields = new java.util.ArrayList<String>();
        problems.forEach(p -> fields.add(p.path("field").asText()));
        assertThat(fields).contains("version", "image");
    }

    @Test
    void aBadSignatureAStaleTimestampOrNoSignatureIsRefusedWith401() throws Exception {
        var url = start(Optional.of(SECRET));
        var forged = new HashMap<>(signed(BODY, now()));
        forged.put(DeployRequestsApi.SIGNATURE_HEADER, "v1=" + "0".repeat(64));
        assertThat(post(url, BODY, forged).statusCode()).isEqualTo(401);
        assertThat(post(url, BODY, signed(BODY, now() - 301)).statusCode()).isEqualTo(401);
        assertThat(post(url, BODY, Map.of()).statusCode()).isEqualTo(401);
        // Signed over a different body: the signature covers the raw bytes.
        assertThat(post(url, BODY.replace("1.1.0", "1.1.1"), signed(BODY, now()))
                        .statusCode())
                .isEqualTo(401);
        assertThat(seen).isEmpty();
    }

    @Test
    void aRequestTheEngineRefusesIsAnsweredWith409AndTheReason() throws Exception {
        var url = start(Optional.of(SECRET));
        var body = BODY.replace("\"checkout\"", "\"locked\"");
        var response = post(url, body, signed(body, now()));
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("incident 7");
    }

    @Test
    void withoutASigningSecretTheRouteAnswers503SayingWhichVariableToSet() throws Exception {
        var url = start(Optional.empty());
        var response = post(url, BODY, signed(BODY, now()));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("HARBORMASTER_CI_SIGNING_SECRET");
    }

    @Test
    void aRepeatOfADeployThatEndedSaysItsStateWhatEndedItAndThatNothingStarted() throws Exception {
        var url = start(Optional.of(SECRET));
        var body = BODY.replace("\"checkout\"", "\"failed\"");
        var response = post(url, body, signed(body, now()));
        assertThat(response.statusCode()).isEqualTo(200);
        var answer = JSON.readTree(response.body());
        assertThat(answer.path("deploy_id").asLong()).isEqualTo(7);
        assertThat(answer.path("duplicate").asBoolean()).isTrue();
        assertThat(answer.path("state").asText()).isEqualTo("failed");
        assertThat(answer.path("ended").asBoolean()).isTrue();
        assertThat(answer.path("reason").asText()).isEqualTo("blocked by preflight: no lock: failed is locked by U1");
        assertThat(answer.path("message").asText())
                .contains("deploy #7 of failed 1.1.0 has ended (failed: blocked by preflight")
                .contains("started nothing", "new build_id", "/deploy failed 1.1.0");
        assertThat(nudged).isEmpty();
    }

    @Test
    void theEnginesWarningsAreInTheAnswerBesideTheParsersOwn() throws Exception {
        var url = start(Optional.of(SECRET));
        var body = BODY.replace("\"checkout\"", "\"warned\"")
                .replace("\"auto_deploy\":true", "\"auto_deploy\":true,\"colour\":1");
        var response = post(url, body, signed(body, now()));
        assertThat(response.statusCode()).isEqualTo(202);
        var warnings = new java.util.ArrayList<String>();
        JSON.readTree(response.body()).path("warnings").forEach(w -> warnings.add(w.asText()));
        assertThat(warnings)
                .hasSize(2)
                .anyMatch(w -> w.contains("colour"))
                .contains("deploy #3 of warned 1.1.0 is in flight: not applied");
    }

    /** A signed request whose body pads {@link #BODY}'s pull request title to {@code bytes} bytes in all. */
    static String ofSize(int bytes) {
        var padded = BODY.replace("\"files\"", "\"pr_title\":\"\",\"files\"");
        return padded.replace("\"pr_title\":\"\"", "\"pr_title\":\"" + "x".repeat(bytes - padded.length()) + "\"");
    }

    /** The answer's problems as field: message. */
    static List<String> problems(String answer) throws Exception {
        var out = new java.util.ArrayList<String>();
        JSON.readTree(answer)
                .path("problems")
                .forEach(p -> out.add(
                        p.path("field").asText() + ": " + p.path("message").asText()));
        return out;
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndTheSameJsonWhateverItsSize() throws Exception {
        var url = start(Optional.of(SECRET));
        for (int size : new int[] {CiDeployRequestParser.MAX_BYTES + 1, 600 * 1024, 3 * 1024 * 1024}) {
            var body = ofSize(size);
            assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(size);
            var response = post(url, body, signed(body, now()));
            assertThat(response.statusCode()).as("%d bytes", size).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(JSON.readTree(response.body()).path("error").asText())
                    .isEqualTo(
                            "deploy request refused: (message): is " + size + " bytes: at most 262144 bytes (256 KiB)"
                                    + " are accepted; leave bulky content (diffs, full logs) out of change");
            assertThat(problems(response.body()))
                    .containsExactly("(message): is " + size + " bytes: at most 262144"
                            + " bytes (256 KiB) are accepted; leave bulky content (diffs, full logs) out of change");
        }
        var justSo = ofSize(CiDeployRequestParser.MAX_BYTES);
        assertThat(post(url, justSo, signed(justSo, now())).statusCode()).isEqualTo(202);
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWith413AndJsonToo() throws Exception {
        var url = start(Optional.of(SECRET));
        for (int size : new int[] {600 * 1024, 3 * 1024 * 1024}) {
            var body = ofSize(size).getBytes(StandardCharsets.UTF_8);
            var ts = now();
            // a body of unknown length: sent in chunks, with no Content-Length
            var request = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .header(DeployRequestsApi.TIMESTAMP_HEADER, Long.toString(ts))
                    .header(DeployRequestsApi.SIGNATURE_HEADER, DeployRequestsApi.signature(SECRET, ts, body))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                    .build();
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%d bytes", size).isEqualTo(413);
            assertThat(problems(response.body()))
                    .singleElement()
                    .asString()
                    .startsWith("(message): is ")
                    .contains("at most 262144 bytes (256 KiB) are accepted");
        }
    }
}

package io.harbormaster.bot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.Await;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Track;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox without a browser: its console API, fault injection, and stopping and starting again on its data. */
class SandboxTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ENGINEER = "U0ENGINEER";
    static final String APPROVER = "U0APPROVER";
    static final String AUDITOR = "U0AUDITOR";

    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void aSandboxStoppedMidCanaryAndStartedAgainOnItsDataContinuesEveryDeployAndItsChannel() throws Exception {
        String waitingTs;
        try (var first = Sandbox.start(SandboxTesting.fastSettings(data))) {
            assertThat(post(first, "command", ENGINEER, "/deploy payments 3.0.0")
                            .statusCode())
                    .isEqualTo(200);
            var escalation = await("the approval request", () -> reply(first, "payments 3.0.0", "Approval needed"));
            waitingTs = escalation.ts();
            post(first, "command", ENGINEER, "/deploy checkout 1.4.1");
            await(
                    "the checkout canary",
                    () -> first.cluster().workloads(first.target("checkout")).containsKey(Track.CANARY) ? true : null);
        }
        // Stopped with a canary running and a deploy waiting for an approver.
        try (var second = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var parent = parent(second, "payments 3.0.0");
            assertThat(parent).as("the channel is kept").isNotNull();
            assertThat(second.slack().message(Sandbox.CHANNEL, waitingTs)).isPresent();

            await(
                    "the interrupted canary taken over and promoted",
                    () -> parentSays(second, "checkout 1.4.1", "promoted"));
            assertThat(second.cluster()
                            .workloads(second.target("checkout"))
                            .get(Track.STABLE)
                            .image())
                    .endsWith(":1.4.1");

            var approve = JSON.createObjectNode();
            approve.put("user", APPROVER);
            approve.put("ts", waitingTs);
            approve.put("action_id", "deploy_approve");
            approve.put("block_id", "escalation");
            approve.put(
                    "value",
                    deployId(second.slack().message(Sandbox.CHANNEL, waitingTs).orElseThrow()));
            assertThat(send(second, "action", approve).statusCode()).isEqualTo(200);
            await("the approved deploy promoted", () -> parentSays(second, "payments 3.0.0", "promoted"));

            post(second, "command", AUDITOR, "/audit verify");
            var verify = await("the chain check", () -> ephemeral(second, AUDITOR, "Audit log"));
            assertThat(verify.text()).contains("Audit log intact");
        }
        // And the cluster itself survives a restart.
        try (var third = Sandbox.start(SandboxTesting.fastSettings(data))) {
            assertThat(third.cluster()
                            .workloads(third.target("payments"))
                            .get(Track.STABLE)
                            .image())
                    .endsWith(":3.0.0");
        }
    }

    @Test
    void aRollbackFromTheConsoleAfterAPromotionPutsTheVersionBeforeItBack() throws Exception {
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            post(sandbox, "command", ENGINEER, "/deploy checkout 1.4.1");
            await("checkout 1.4.1 promoted", () -> parentSays(sandbox, "checkout 1.4.1", "promoted"));

            post(sandbox, "command", ENGINEER, "/deploy rollback checkout");

            await("the revert done", () -> parentSays(sandbox, "checkout 1.4.0", "live again"));
            // the parent is updated before the thread's reply is posted: wait for the reply too
            await("the revert's reply", () -> reply(sandbox, "checkout 1.4.0", "Reverted checkout to 1.4.0"));
            assertThat(sandbox.cluster().workloads(sandbox.target("checkout")))
                    .containsOnlyKeys(Track.STABLE)
                    .hasEntrySatisfying(Track.STABLE, w -> assertThat(w.image()).endsWith(":1.4.0"));
        }
    }

    @Test
    void aCrashingVersionInjectedFromTheConsoleFailsItsDeployAndTheStableVersionKeepsServing() throws Exception {
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var fault = JSON.createObjectNode();
            fault.put("service", "inventory");
            fault.put("version", "2.7.6");
            fault.put("fault", "crash");
            assertThat(send(sandbox, "fault", fault).statusCode()).isEqualTo(200);
            assertThat(state(sandbox).toString()).contains("\"fault\":\"crash\"");

            var deploy = JSON.createObjectNode();
            deploy.put("service", "inventory");
            deploy.put("version", "2.7.6");
            deploy.put("deploy", true);
            var asked = send(sandbox, "ci", deploy);
            assertThat(asked.statusCode()).isEqualTo(200);
            // what became of it, as data: the deploy it started, and the words the console shows
            var accepted = JSON.readTree(asked.body());
            assertThat(accepted.path("ok").asBoolean()).isTrue();
            assertThat(accepted.path("outcome").asText()).isEqualTo("accepted");
            long id = accepted.path("deploy_id").asLong();
            assertThat(id).isPositive();
            assertThat(accepted.path("message").asText())
                    .isEqualTo("CI asked Harbormaster to deploy inventory 2.7.6: deploy #" + id);
            assertThat(asked.body()).doesNotContain("Handled[", "CiDeployRequest[");
            // asked again (a retried pipeline stage): the same deploy, nothing new
            var again = JSON.readTree(send(sandbox, "ci", deploy).body());
            assertThat(again.path("outcome").asText()).isEqualTo("duplicate");
            assertThat(again.path("deploy_id").asLong()).isEqualTo(id);
            assertThat(again.path("message").asText()).contains("nothing new was started");
            var parent = await("the parent for CI's request", () -> parent(sandbox, "inventory 2.7.6"));
            assertThat(parent.allText()).contains("sandbox-ci");
            await("the failed deploy", () -> parentSays(sandbox, "inventory 2.7.6", "crash"));
            assertThat(sandbox.cluster()
                            .workloads(sandbox.target("inventory"))
                            .get(Track.STABLE)
                            .image())
                    .endsWith(":2.7.5");
        }
    }

    @Test
    void theConsoleAnswersARefusedCiRequestAsARefusalWithHarbormastersReasonNotAsASuccess() {
        var request = ((io.harbormaster.engine.intake.ParseResult.Parsed)
                        io.harbormaster.engine.intake.CiDeployRequest.parse(Sandbox.exampleRequest("2.7.7")))
                .request();
        var refused = SandboxConsole.ciAnswer(
                "checkout 1.4.1",
                true,
                new io.harbormaster.engine.intake.IntakeResult.Handled(
                        request,
                        "ci:x",
                        new io.harbormaster.engine.intake.DeployRequestHandler.Outcome.Refused(
                                "checkout 1.4.1 is already live: deploy #1 promoted it"),
                        1));

        assertThat(refused.ok()).isFalse();
        assertThat(refused.json())
                .containsEntry("ok", false)
                .containsEntry("outcome", "refused")
                .containsEntry("reason", "checkout 1.4.1 is already live: deploy #1 promoted it")
                .containsEntry(
                        "error",
                        "Harbormaster refused CI's request to deploy checkout 1.4.1: checkout 1.4.1 is already live:"
                                + " deploy #1 promoted it")
                .doesNotContainKey("message");
        var announced = SandboxConsole.ciAnswer(
                "inventory 2.7.7",
                false,
                new io.harbormaster.engine.intake.IntakeResult.Handled(
                        request,
                        "ci:y",
                        new io.harbormaster.engine.intake.DeployRequestHandler.Outcome.Accepted(
                                java.util.OptionalLong.empty()),
                        1));
        assertThat(announced.json())
                .containsEntry("ok", true)
                .containsEntry("outcome", "accepted")
                .containsEntry("deploy_id", null)
                .containsEntry("message", "CI announced inventory 2.7.7");
        assertThat(SandboxConsole.ciAnswer(
                                "inventory 2.7.7", true, new io.harbormaster.engine.intake.IntakeResult.Interrupted())
                        .json())
                .containsEntry("ok", false)
                .containsEntry("outcome", "not_taken");
    }

    /** POSTs {@code body} to the sandbox's CI intake, signed with {@code secret} as CI signs it. */
    HttpResponse<String> ciRequest(Sandbox sandbox, String secret, String body) throws Exception {
        long now = java.time.Instant.now().getEpochSecond();
        var bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(sandbox.ciIntake().url())
                        .header(io.harbormaster.bot.http.DeployRequestsApi.TIMESTAMP_HEADER, Long.toString(now))
                        .header(
                                io.harbormaster.bot.http.DeployRequestsApi.SIGNATURE_HEADER,
                                io.harbormaster.bot.http.DeployRequestsApi.signature(secret, now, bytes))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void ciRequestsAreTakenSignedWithTheSandboxsOwnSecretKeptOwnerOnlyAcrossRestarts() throws Exception {
        // before: the sandbox gave the intake no secret, so every request was answered 503
        String secret;
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var file = data.resolve(Sandbox.CI_SECRET_FILE);
            assertThat(sandbox.ciIntake().secretFile()).contains(file);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            java.nio.file.Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            secret = java.nio.file.Files.readString(file).strip();
            assertThat(secret).hasSize(64);

            var accepted = ciRequest(sandbox, secret, sandbox.ciIntake().exampleRequest());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(JSON.readTree(accepted.body()).path("deploy_id").isNumber())
                    .isTrue();
            var forged = ciRequest(sandbox, "not-the-secret", sandbox.ciIntake().exampleRequest());
            assertThat(forged.statusCode()).isEqualTo(401);
            // the instructions read the secret from its file: they never carry it
            assertThat(String.join("\n", sandbox.ciIntake().howToSign()))
                    .contains(
                            file.toAbsolutePath().toString(),
                            sandbox.ciIntake().url().toString())
                    .doesNotContain(secret);
        }
        try (var again = Sandbox.start(SandboxTesting.fastSettings(data))) {
            assertThat(ciRequest(again, secret, Sandbox.exampleRequest("2.7.7")).body())
                    .contains("\"duplicate\":true");
        }
    }

    @Test
    void theStartUpExampleIsAGreenSmallBuildThatGoesOutWithoutAnApproverAndEachStartShowsAFreshOne() throws Exception {
        String secret;
        String first;
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            secret = java.nio.file.Files.readString(data.resolve(Sandbox.CI_SECRET_FILE))
                    .strip();
            first = sandbox.ciIntake().exampleRequest();
            assertThat(first).isEqualTo(Sandbox.exampleRequest("2.7.7"));
            assertThat(String.join("\n", sandbox.ciIntake().howToSign())).contains("body='" + first + "'");
            // a restart before it was sent shows it again: it is not deployed yet
            assertThat(ciRequest(sandbox, secret, first).statusCode()).isEqualTo(202);
            var risk = await("its risk", () -> reply(sandbox, "inventory 2.7.7", "Risk"));
            assertThat(risk.allText()).contains("proceeds without a human").doesNotContain("assumed, not announced");
            await(
                    "its canary",
                    () -> parentSays(sandbox, "inventory 2.7.7", "canary") != null
                                    || parentSays(sandbox, "inventory 2.7.7", "promoted") != null
                            ? true
                            : null);
        }
        try (var again = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var example = again.ciIntake().exampleRequest();
            assertThat(example).isEqualTo(Sandbox.exampleRequest("2.7.8"));
            assertThat(String.join("\n", again.ciIntake().howToSign())).contains("\"version\":\"2.7.8\"");
            var sent = ciRequest(again, secret, example);
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
            // the earlier one, sent again, says what became of its deploy
            var repeat = JSON.readTree(ciRequest(again, secret, first).body());
            assertThat(repeat.path("duplicate").asBoolean()).isTrue();
            assertThat(repeat.path("state").asText()).isNotEmpty();
        }
    }

    @Test
    void aCiSecretGivenInTheEnvironmentSignsInsteadAndIsWrittenNowhere() throws Exception {
        var given = "a-secret-the-user-set-" + System.nanoTime();
        var fast = SandboxTesting.fastSettings(data);
        var settings = new Sandbox.Settings(
                fast.dataDir(),
                fast.host(),
                fast.port(),
                fast.catalogYaml(),
                fast.ci(),
                fast.tick(),
                java.util.Optional.of(given));
        try (var sandbox = Sandbox.start(settings)) {
            assertThat(ciRequest(sandbox, given, sandbox.ciIntake().exampleRequest())
                            .statusCode())
                    .isEqualTo(202);
            assertThat(sandbox.ciIntake().secretFile()).isEmpty();
            assertThat(data.resolve(Sandbox.CI_SECRET_FILE)).doesNotExist();
            assertThat(String.join("\n", sandbox.ciIntake().howToSign()))
                    .contains("$HARBORMASTER_CI_SIGNING_SECRET")
                    .doesNotContain(given);
        }
        try (var files = java.nio.file.Files.walk(data)) {
            for (var f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                // as Latin-1, so that every byte is a character and an ASCII secret is found wherever it is
                assertThat(new String(
                                java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as(f.toString())
                        .doesNotContain(given);
            }
        }
    }

    @Test
    void theConsoleRefusesWhatItCannotDoWithAMessageThatSaysWhatItTakes() throws Exception {
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var stranger = post(sandbox, "command", "U0NOBODY", "/deploy help");
            assertThat(stranger.statusCode()).isEqualTo(400);
            assertThat(stranger.body()).contains("user must be one of", "U0ENGINEER");

            var notACommand = post(sandbox, "command", ENGINEER, "deploy checkout");
            assertThat(notACommand.statusCode()).isEqualTo(400);
            assertThat(notACommand.body()).contains("starts with /");

            var fault = JSON.createObjectNode();
            fault.put("service", "search");
            fault.put("version", "5.2.0");
            fault.put("fault", "meltdown");
            var badFault = send(sandbox, "fault", fault);
            assertThat(badFault.statusCode()).isEqualTo(400);
            assertThat(badFault.body()).contains("none, errors", "meltdown");

            var build = JSON.createObjectNode();
            build.put("service", "search");
            build.put("version", "9.9.9");
            var unknown = send(sandbox, "ci", build);
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("no build search 9.9.9", "search 5.2.0");

            // before: "yes" was read as false, and the build announced without the deploy asked for
            var yes = JSON.createObjectNode();
            yes.put("service", "search");
            yes.put("version", "5.2.0");
            yes.put("deploy", "yes");
            var notABoolean = send(sandbox, "ci", yes);
            assertThat(notABoolean.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(notABoolean.body()).path("error").asText())
                    .startsWith("deploy is \"yes\": it must be true")
                    .contains("or false");

            var garbage = http.send(
                    HttpRequest.newBuilder(api(sandbox, "command"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("user=U0ENGINEER"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(garbage.body()).contains("JSON object");
        }
    }

    @Test
    void itsMetricsSayWhenTheConfigurationInForceWasLoaded() throws Exception {
        long before = java.time.Instant.now().getEpochSecond();
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            long started = java.time.Instant.now().getEpochSecond();
            var metrics = http.send(
                            HttpRequest.newBuilder(URI.create(sandbox.address() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            var line = java.util.regex.Pattern.compile("(?m)^harbormaster_config_loaded_timestamp_seconds (\\S+)$")
                    .matcher(metrics);
            assertThat(line.find()).as(metrics).isTrue();
            assertThat(Double.parseDouble(line.group(1))).isBetween((double) before, (double) started + 1);
        }
    }

    @Test
    void otherSitesInTheSameBrowserCannotUseTheConsolesApi() throws Exception {
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            var body = "{\"user\":\"U0ENGINEER\",\"text\":\"/deploy help\"}";
            // A cross-site form can only send text/plain, form or multipart bodies without asking first.
            var form = http.send(
                    HttpRequest.newBuilder(api(sandbox, "command"))
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(403);
            assertThat(form.body()).contains("application/json");

            var crossSite = http.send(
                    HttpRequest.newBuilder(api(sandbox, "command"))
                            .header("Content-Type", "application/json")
                            .header("Origin", "https://evil.example")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(crossSite.statusCode()).isEqualTo(403);
            assertThat(crossSite.body())
                    .contains("https://evil.example", sandbox.address().toString());

            var sameSite = http.send(
                    HttpRequest.newBuilder(api(sandbox, "command"))
                            .header("Content-Type", "application/json")
                            .header("Origin", "http://" + sandbox.address().getAuthority())
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sameSite.statusCode()).isEqualTo(200);

            // No other site may frame the page (a framed console could be clicked through as any persona), and a
            // script slipped into a message would not run: the page loads only its own script, style and API.
            var page = http.send(
                    HttpRequest.newBuilder(sandbox.address()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("frame-ancestors 'none'", "script-src 'self';", "default-src 'none'")
                    .doesNotContain("unsafe-inline"));
            assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");

            // A DNS name rebound to 127.0.0.1 reaches the port with its own name in Host: refused, reads included.
            assertThat(rawGet(
                            sandbox,
                            "/console/api/state",
                            "rebound.example:" + sandbox.address().getPort()))
                    .startsWith("HTTP/1.1 403");
            assertThat(rawGet(
                            sandbox,
                            "/console/api/state",
                            "localhost:" + sandbox.address().getPort()))
                    .startsWith("HTTP/1.1 200");
            // A port forward (ssh -L 9000:localhost:PORT) changes the port the browser names: still the console.
            assertThat(rawGet(sandbox, "/console/api/state", "localhost:9000")).startsWith("HTTP/1.1 200");
            assertThat(rawGet(sandbox, "/console/api/state", "[::1]:9000")).startsWith("HTTP/1.1 200");
            // A proxy's name is refused until the sandbox is told it (--allow-host).
            assertThat(rawGet(sandbox, "/console/api/state", "x-8080.proxy.example"))
                    .startsWith("HTTP/1.1 403");
            sandbox.allowHosts(java.util.List.of("X-8080.proxy.example"));
            assertThat(rawGet(sandbox, "/console/api/state", "x-8080.proxy.example"))
                    .startsWith("HTTP/1.1 200");
            assertThat(rawGet(sandbox, "/console/api/state", "rebound.example")).startsWith("HTTP/1.1 403");

            // A command the workspace does not have is answered as Slack answers it, without reaching the bot.
            assertThat(post(sandbox, "command", ENGINEER, "/deploi checkout 1.4.1")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(ephemeral(sandbox, ENGINEER, "not a valid command")).isNotNull();
        }
    }

    @Test
    void aDeployThreadsPermalinkOpensTheThreadOnTheConsoleWithItsMessagesEscaped() throws Exception {
        try (var sandbox = Sandbox.start(SandboxTesting.fastSettings(data))) {
            // search 5.2.0 is the CI's faulty build: its rollback notice is broadcast with a link to the deploy thread.
            assertThat(post(sandbox, "command", ENGINEER, "/deploy search 5.2.0")
                            .statusCode())
                    .isEqualTo(200);
            var notice = await("the rollback notice", () -> sandbox.slack().allMessages().stream()
                    .filter(m -> m.replyBroadcast() && m.text().contains("Rolled back search 5.2.0"))
                    .findFirst()
                    .orElse(null));
            var link = java.util.regex.Pattern.compile("<(http[^|>]+)\\|deploy thread>")
                    .matcher(notice.blocksJson());
            assertThat(link.find()).as(notice.blocksJson()).isTrue();
            var permalink = link.group(1);
            var parent = parent(sandbox, "search 5.2.0");
            assertThat(permalink)
                    .as("on the console, not on the Slack stand-in's own port")
                    .isEqualTo(sandbox.address() + "/archives/" + Sandbox.CHANNEL + "/p"
                            + parent.ts().replace(".", ""))
                    .doesNotContain(":" + sandbox.slack().port() + "/");
            await("the parent's last word", () -> parentSays(sandbox, "search 5.2.0", "rolled back"));

            // Someone writes markup into the thread: it is shown as text.
            var hostile = JSON.createObjectNode();
            hostile.put("user", ENGINEER);
            hostile.put("text", "<img src=x onerror=alert(1)> & \"why?\"");
            hostile.put("thread_ts", parent.ts());
            assertThat(send(sandbox, "message", hostile).statusCode()).isEqualTo(200);

            var page = http.send(
                    HttpRequest.newBuilder(URI.create(permalink)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            var first = parent(sandbox, "search 5.2.0").text();
            var replies = sandbox.slack().replies(Sandbox.CHANNEL, parent.ts());
            assertThat(page.body())
                    .as("the thread's first message, then its replies")
                    .contains(html(first))
                    .contains(html(replies.getFirst().text()))
                    .contains(html(notice.text()))
                    .contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;why?&quot;")
                    .doesNotContain("<img")
                    .contains("<a href=\"/#thread=" + parent.ts() + "\"");
            assertThat(replies.getFirst().text())
                    .as("a reply that needs escaping")
                    .contains("<@" + ENGINEER + ">");
            assertThat(page.body().indexOf(html(first))).isLessThan(page.body().indexOf(html(notice.text())));

            // The page shows the channel, so it answers the console's own names only, as the console's API does.
            var path = URI.create(permalink).getPath();
            assertThat(rawGet(
                            sandbox,
                            path,
                            "rebound.example:" + sandbox.address().getPort()))
                    .startsWith("HTTP/1.1 403");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(
                                                    sandbox.address() + "/archives/C0DEPLOYS/p1000000000000001"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(404);
        }
    }

    /** Text as it must appear in HTML. */
    static String html(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A GET with a Host header of the test's choosing (Java's HTTP client will not send one). */
    static String rawGet(Sandbox sandbox, String path, String host) throws Exception {
        try (var socket = new java.net.Socket(
                sandbox.address().getHost(), sandbox.address().getPort())) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    URI api(Sandbox sandbox, String route) {
        return URI.create(sandbox.address() + "/console/api/" + route);
    }

    HttpResponse<String> post(Sandbox sandbox, String route, String user, String text) throws Exception {
        var body = JSON.createObjectNode();
        body.put("user", user);
        body.put("text", text);
        return send(sandbox, route, body);
    }

    HttpResponse<String> send(Sandbox sandbox, String route, JsonNode body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(api(sandbox, route))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode state(Sandbox sandbox) throws Exception {
        var response =
                http.send(HttpRequest.newBuilder(api(sandbox, "state")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    static SlackStandIn.Message parent(Sandbox sandbox, String title) {
        return sandbox.slack().messages(Sandbox.CHANNEL).stream()
                .filter(m -> m.text().startsWith(title))
                .findFirst()
                .orElse(null);
    }

    static Boolean parentSays(Sandbox sandbox, String title, String words) {
        var p = parent(sandbox, title);
        return p != null && p.allText().contains(words) ? true : null;
    }

    static SlackStandIn.Message reply(Sandbox sandbox, String title, String words) {
        var p = parent(sandbox, title);
        if (p == null) {
            return null;
        }
        return sandbox.slack().replies(Sandbox.CHANNEL, p.ts()).stream()
                .filter(m -> m.allText().contains(words))
                .findFirst()
                .orElse(null);
    }

    static SlackStandIn.Message ephemeral(Sandbox sandbox, String user, String words) {
        return sandbox.slack().ephemerals(Sandbox.CHANNEL).stream()
                .filter(m ->
                        m.ephemeralTo().orElse("").equals(user) && m.allText().contains(words))
                .reduce((a, b) -> b)
                .orElse(null);
    }

    static String deployId(SlackStandIn.Message escalation) {
        var m = java.util.regex.Pattern.compile("deploy #(\\d+)").matcher(escalation.allText());
        assertThat(m.find()).as(escalation.allText()).isTrue();
        return m.group(1);
    }

    /** Waits up to 90 s (a canary takes a while) for {@code probe} to give something. */
    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(90), probe);
    }
}

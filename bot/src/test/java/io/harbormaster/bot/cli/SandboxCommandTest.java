package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code harbormaster sandbox} as a user runs it: the address it prints, stopping it, and what stops it starting. */
class SandboxCommandTest {
    @TempDir
    Path dir;

    static CapturedCommand<SandboxCommand> sandbox() {
        var command = new SandboxCommand();
        return CapturedCommand.of(command);
    }

    @Test
    void itPrintsTheConsolesAddressServesItAndStopsLeavingItsDataForTheNextStart() throws Exception {
        var data = dir.resolve("data");
        var run = sandbox();
        var exit = CompletableFuture.supplyAsync(
                () -> run.cli().execute("--port", "0", "--data", data.toString(), "--fault", "checkout@1.4.1=slow"));
        var address = awaitAddress(run.out());
        var page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(address)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Harbormaster sandbox", "/console/console.js");
        var state = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(address + "console/api/state"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(state.body())
                .containsPattern("\\{\"service\":\"checkout\",\"version\":\"1.4.1\",[^}]*\"fault\":\"slow\"");

        run.command().stop.countDown();
        assertThat(exit.get()).isZero();
        assertThat(run.out().toString()).contains("Sandbox stopped");
        assertThat(data.resolve("audit-key.txt")).exists();
        assertThat(data.resolve("cluster.tsv")).exists();
        assertThat(data.resolve("slack-channel.json")).exists();
        for (var secret : java.util.List.of("audit-key.txt", "slack-channel.json")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(data.resolve(secret))))
                    .as(secret)
                    .isEqualTo("rw-------");
        }
        assertThat(Files.list(data).map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        assertThat(Files.list(data).map(p -> p.getFileName().toString()))
                .anyMatch(name -> name.startsWith("harbormaster") && name.endsWith(".db"));
    }

    @Test
    void aPortInUseIsNamedWithWhatToDoAndNothingElseIsPrintedOrDeleted() throws Exception {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            var data = dir.resolve("data");
            Files.createDirectories(data);
            Files.writeString(data.resolve("keep.txt"), "from an earlier sandbox");
            var code = new java.util.concurrent.atomic.AtomicInteger();
            var printed = new java.util.concurrent.atomic.AtomicReference<String>();
            // made while System.err is captured: picocli's default strategy keeps the System.err of then
            var logged = io.harbormaster.bot.StandardError.of(() -> {
                var run = sandbox();
                code.set(run.cli()
                        .execute(
                                "--port",
                                Integer.toString(taken.getLocalPort()),
                                "--data",
                                data.toString(),
                                "--reset"));
                printed.set(run.err().toString());
            });
            assertThat(code.get()).isEqualTo(2);
            assertThat(printed.get())
                    .isEqualTo("error: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (address already in"
                            + " use): is another sandbox or another program using it? Stop it, or pick another port"
                            + " with --port" + System.lineSeparator());
            // before: Javalin's "[main] ERROR io.javalin.Javalin - Failed to start Javalin" came first
            assertThat(logged).doesNotContain("Failed to start Javalin", "ERROR");
            assertThat(data.resolve("keep.txt"))
                    .as("--reset deletes nothing when the sandbox cannot start")
                    .exists();
        }
    }

    /** Whether {@code program} is on PATH. */
    private static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    @Test
    void theStartUpOutputSaysHowToSignACiRequestAndItsCommandsWork() throws Exception {
        var data = dir.resolve("ci");
        var run = sandbox();
        var exit = CompletableFuture.supplyAsync(() -> run.cli().execute("--port", "0", "--data", data.toString()));
        awaitAddress(run.out());
        io.harbormaster.bot.Await.until("the CI lines", Duration.ofSeconds(10), () -> run.out()
                .toString()
                .contains("--data-binary"));
        try {
            var out = run.out().toString();
            assertThat(out)
                    .contains(
                            "CI requests: POST http://127.0.0.1:",
                            "/api/v1/deploy-requests, signed with the" + " secret in "
                                    + data.resolve("ci-signing-secret").toAbsolutePath());
            assertThat(out)
                    .doesNotContain(
                            Files.readString(data.resolve("ci-signing-secret")).strip());
            if (!onPath("openssl") || !onPath("curl")) {
                System.err.println("SKIPPING: the start-up output's commands need openssl and curl");
                return;
            }
            // the three indented lines, run as printed: they announce inventory 2.7.7 and ask for its deploy
            var script = out.lines()
                    .filter(l -> l.startsWith("  "))
                    .map(String::strip)
                    .toList();
            assertThat(script).hasSize(3);
            var bash = new ProcessBuilder("bash", "-c", String.join("\n", script))
                    .redirectErrorStream(true)
                    .start();
            var answer = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(bash.waitFor()).as(answer).isZero();
            assertThat(answer).contains("\"deploy_id\":1", "\"duplicate\":false");
        } finally {
            run.command().stop.countDown();
            assertThat(exit.get()).isZero();
        }
    }

    @Test
    void aCiSecretFromTheEnvironmentIsUsedAndNeverPrinted() throws Exception {
        var given = "my-own-ci-secret-" + System.nanoTime();
        var run = sandbox();
        run.command().env = java.util.Map.of("HARBORMASTER_CI_SIGNING_SECRET", given);
        var data = dir.resolve("env");
        var exit = CompletableFuture.supplyAsync(() -> run.cli().execute("--port", "0", "--data", data.toString()));
        awaitAddress(run.out());
        io.harbormaster.bot.Await.until("the CI lines", Duration.ofSeconds(10), () -> run.out()
                .toString()
                .contains("--data-binary"));
        try {
            assertThat(run.out().toString())
                    .contains("signed with $HARBORMASTER_CI_SIGNING_SECRET (from the environment)")
                    .contains("-hmac \"$HARBORMASTER_CI_SIGNING_SECRET\"")
                    .doesNotContain(given);
            assertThat(run.err().toString()).doesNotContain(given);
            assertThat(data.resolve("ci-signing-secret")).doesNotExist();
        } finally {
            run.command().stop.countDown();
            assertThat(exit.get()).isZero();
        }
    }

    @Test
    void aSecondSandboxOnTheSameDataIsToldToStopTheFirstOrUseItsOwnDirectory() throws Exception {
        var data = dir.resolve("shared");
        var first = sandbox();
        var exit = CompletableFuture.supplyAsync(() -> first.cli().execute("--port", "0", "--data", data.toString()));
        awaitAddress(first.out());
        try {
            var key = Files.readString(data.resolve("audit-key.txt"));
            var second = sandbox();
            int code = second.cli().execute("--port", "0", "--data", data.toString(), "--reset");
            assertThat(code).isEqualTo(2);
            assertThat(second.err().toString()).contains("another sandbox is running on", "--data");
            // --reset on a directory in use deletes nothing: the first sandbox's key and database are still there.
            assertThat(Files.readString(data.resolve("audit-key.txt"))).isEqualTo(key);
            assertThat(Files.list(data).map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("harbormaster") && name.endsWith(".db"));
        } finally {
            first.command().stop.countDown();
            assertThat(exit.get()).isZero();
        }
    }

    @Test
    void resetStartsAfreshOnAStoppedSandboxsDirectory() throws Exception {
        var data = dir.resolve("again");
        var first = sandbox();
        var exit = CompletableFuture.supplyAsync(() -> first.cli().execute("--port", "0", "--data", data.toString()));
        awaitAddress(first.out());
        first.command().stop.countDown();
        assertThat(exit.get()).isZero();
        var key = Files.readString(data.resolve("audit-key.txt"));
        Files.writeString(data.resolve("leftover.txt"), "from before");

        var second = sandbox();
        var again = CompletableFuture.supplyAsync(
                () -> second.cli().execute("--port", "0", "--data", data.toString(), "--reset"));
        awaitAddress(second.out());
        second.command().stop.countDown();
        assertThat(again.get()).isZero();
        assertThat(data.resolve("leftover.txt")).doesNotExist();
        assertThat(Files.readString(data.resolve("audit-key.txt")))
                .as("a new audit chain, with a new key")
                .isNotEqualTo(key);
    }

    @Test
    void aFaultForABuildTheCiDoesNotHaveOrOfAnUnknownKindIsRefusedWithWhatThereIs() {
        var run = sandbox();
        assertThat(run.cli()
                        .execute("--port", "0", "--data", dir.resolve("a").toString(), "--fault", "search@9.9=slow"))
                .isEqualTo(2);
        assertThat(run.err().toString()).contains("no build search 9.9", "search 5.2.0");
        var again = sandbox();
        assertThat(again.cli()
                        .execute("--port", "0", "--data", dir.resolve("b").toString(), "--fault", "search@5.2.0=fire"))
                .isEqualTo(2);
        assertThat(again.err().toString()).contains("none, errors", "'fire'");
        var malformed = sandbox();
        assertThat(malformed
                        .cli()
                        .execute("--port", "0", "--data", dir.resolve("c").toString(), "--fault", "search"))
                .isEqualTo(2);
        assertThat(malformed.err().toString()).contains("SERVICE@VERSION=KIND");
        // refused before the sandbox started: nothing was created, nothing listened
        for (var d : java.util.List.of("a", "b", "c")) {
            assertThat(dir.resolve(d)).doesNotExist();
        }
        assertThat(run.out().toString() + again.out() + malformed.out()).doesNotContain("Sandbox stopped");
    }

    @Test
    void aMistypedFaultWithResetDeletesNothing() throws Exception {
        var data = dir.resolve("kept");
        var first = sandbox();
        var exit = CompletableFuture.supplyAsync(() -> first.cli().execute("--port", "0", "--data", data.toString()));
        awaitAddress(first.out());
        first.command().stop.countDown();
        assertThat(exit.get()).isZero();
        var key = Files.readString(data.resolve("audit-key.txt"));
        var files =
                Files.list(data).map(p -> p.getFileName().toString()).sorted().toList();

        var second = sandbox();
        int code = second.cli()
                .execute("--port", "0", "--data", data.toString(), "--reset", "--fault", "checkout@1.4.1=slwo");
        assertThat(code).isEqualTo(2);
        assertThat(second.err().toString()).contains("--fault checkout@1.4.1=slwo", "'slwo'", "none, errors");
        assertThat(Files.readString(data.resolve("audit-key.txt"))).isEqualTo(key);
        assertThat(Files.list(data)
                        .map(p -> p.getFileName().toString())
                        .sorted()
                        .toList())
                .isEqualTo(files);
    }

    @Test
    void aHostThatIsNotThisMachinesIsRefusedAsSuchNotAsAPortInUse() {
        var run = sandbox();
        // 203.0.113.7 is a documentation address (TEST-NET-3): no machine here has it
        assertThat(run.cli()
                        .execute(
                                "--port",
                                "0",
                                "--host",
                                "203.0.113.7",
                                "--data",
                                dir.resolve("x").toString()))
                .isEqualTo(2);
        assertThat(run.err().toString())
                .contains("--host 203.0.113.7 is not an address of this machine", "127.0.0.1")
                .doesNotContain("in use");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamedWithWhyAndNoStackTrace() throws Exception {
        var file = Files.writeString(dir.resolve("not-a-dir"), "x");
        var run = sandbox();
        assertThat(run.cli().execute("--port", "0", "--data", file.toString())).isEqualTo(2);
        assertThat(run.err().toString())
                .contains("--data " + file, "is in the way and is not a directory", "--data")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void anAllowedHostThatIsNotAHostNameIsRefusedWithAnExample() {
        var run = sandbox();
        assertThat(run.cli()
                        .execute(
                                "--port",
                                "0",
                                "--data",
                                dir.resolve("h").toString(),
                                "--allow-host",
                                "https://x.example:443"))
                .isEqualTo(2);
        assertThat(run.err().toString()).contains("--allow-host takes a host name", "'https://x.example:443'");
        assertThat(dir.resolve("h")).doesNotExist();
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        var run = sandbox();
        assertThat(run.cli().execute("--port", "70000", "--data", dir.toString()))
                .isEqualTo(2);
        assertThat(run.err().toString()).contains("--port must be between 0 and 65535");
    }

    @Test
    void aTrainedModelGivenWithRiskModelScoresTheSandboxsDeploysAndOneThatCannotBeReadStopsTheStart() throws Exception {
        var missing = sandbox();
        var data = dir.resolve("data");
        assertThat(missing.cli().execute("--port", "0", "--data", data.toString(), "--risk-model", "nowhere.json"))
                .isEqualTo(2);
        assertThat(missing.err().toString())
                .contains("--risk-model: model file nowhere.json does not exist; give a model `harbormaster risk"
                        + " train --out` wrote");
        assertThat(data).doesNotExist();

        var model = dir.resolve("my model.json");
        io.harbormaster.engine.risk.RiskModelJson.write(
                io.harbormaster.engine.risk.RiskModelJson.defaultModel(), model);
        var run = sandbox();
        var exit = CompletableFuture.supplyAsync(
                () -> run.cli().execute("--port", "0", "--data", data.toString(), "--risk-model", model.toString()));
        awaitAddress(run.out());
        run.command().stop.countDown();
        assertThat(exit.get()).isZero();
        assertThat(run.out().toString())
                .contains("risk model: file " + model.toAbsolutePath() + " (sha256 dad4da17af6f, trained on"
                        + " apachejit_train_2003_2016.csv, threshold 71.8, target escalation 11%)");
    }

    private static String awaitAddress(StringWriter out) throws InterruptedException {
        var pattern = Pattern.compile("open (http://\\S+/)");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var m = pattern.matcher(out.toString());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the sandbox printed no address: " + out);
    }
}

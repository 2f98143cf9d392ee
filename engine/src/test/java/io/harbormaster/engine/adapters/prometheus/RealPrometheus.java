package io.harbormaster.engine.adapters.prometheus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (Debian's {@code prometheus} and {@code promtool}) on a free loopback port, serving series
 * backfilled from OpenMetrics text. No scrape targets: it holds exactly the series it was given.
 *
 * <p>Use: {@code RealPrometheus.assumeInstalled()} in {@code @BeforeEach}, and {@code if (RealPrometheus.installed())
 * prom = RealPrometheus.start(openMetrics, dir)} in {@code @BeforeAll}, then {@code prom.url()}. It is stopped on {@link #close()} and, failing that, when the JVM exits.
 */
public final class RealPrometheus implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 3;

    private final Process process;
    private final URI url;
    private final Path dataDir;
    private final Path log;
    private final Thread stopOnExit;
    /** The Authorization header the readiness probe sends (Prometheus with basic auth protects /-/ready too). */
    private final String readyAuthorization;

    private RealPrometheus(Process process, URI url, Path dataDir, Path log, String readyAuthorization) {
        this.process = process;
        this.url = url;
        this.dataDir = dataDir;
        this.log = log;
        this.readyAuthorization = readyAuthorization;
        this.stopOnExit = new Thread(process::destroyForcibly, "stop-prometheus-" + process.pid());
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** The {@code prometheus} and {@code promtool} executables, if both are on the PATH (or in /usr/bin). */
    public static Optional<Binaries> binaries() {
        return executable("prometheus").flatMap(p -> executable("promtool").map(t -> new Binaries(p, t)));
    }

    /** Paths of the two executables. */
    public record Binaries(Path prometheus, Path promtool) {}

    /** Whether both executables are there. */
    public static boolean installed() {
        return binaries().isPresent();
    }

    /**
     * Aborts the calling test (call it from {@code @BeforeEach}, so each test is reported as skipped with the reason), when Prometheus is not installed; fails it instead under {@code CI=true},
     * where {@code .ci/run} installs it and its absence is a broken build machine.
     */
    public static void assumeInstalled() {
        if (binaries().isPresent()) {
            return;
        }
        String message = "Prometheus is not installed (no prometheus/promtool on the PATH): the tests against a real"
                + " Prometheus did not run. Install it with `apt-get install prometheus`.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " CI=true, so this is a failure, not a skip.");
        }
        System.err.println("!!!!!!!!!! SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /**
     * Backfills {@code openMetrics} (text ending in {@code # EOF}, timestamps in seconds, each series in time order)
     * into a TSDB under {@code workDir} with {@code promtool tsdb create-blocks-from openmetrics}, then starts
     * Prometheus on it and waits until it is ready. {@code extraFlags} are passed to Prometheus as they are.
     */
    public static RealPrometheus start(String openMetrics, Path workDir, String... extraFlags) throws IOException {
        return startWith(openMetrics, workDir, null, extraFlags);
    }

    /**
     * Like {@link #start(String, Path, String...)}, with Prometheus' own basic authentication on every endpoint: a
     * {@code --web.config.file} whose {@code basic_auth_users} holds {@code user} with a bcrypt hash of {@code
     * password} (made here with Bouncy Castle's bcrypt, cost 4: the lowest Prometheus accepts, so requests stay fast).
     */
    public static RealPrometheus startWithBasicAuth(String openMetrics, Path workDir, String user, String password)
            throws IOException {
        Files.createDirectories(workDir);
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        String hash = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, 4);
        Path webConfig = workDir.resolve("web.yml");
        Files.writeString(webConfig, "basic_auth_users:\n  " + user + ": '" + hash + "'\n", StandardCharsets.UTF_8);
        String authorization = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return startWith(openMetrics, workDir, authorization, "--web.config.file=" + webConfig);
    }

    private static RealPrometheus startWith(
            String openMetrics, Path workDir, String readyAuthorization, String... extraFlags) throws IOException {
        Binaries bin = binaries().orElseThrow(() -> new IllegalStateException("Prometheus is not installed"));
        Files.createDirectories(workDir);
        Path dataDir = workDir.resolve("tsdb");
        Path series = workDir.resolve("series.om");
        Files.writeString(series, openMetrics, StandardCharsets.UTF_8);
        run(
                workDir,
                bin.promtool().toString(),
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                series.toString(),
                dataDir.toString());

        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(
                config,
                "# no scrape targets: the TSDB holds only the backfilled series\n"
                        + "global:\n  scrape_interval: 1h\n  evaluation_interval: 1h\n");
        Path log = workDir.resolve("prometheus.log");
        IOException lastFailure = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(
                    bin.prometheus().toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dataDir,
                    "--web.listen-address=127.0.0.1:" + port,
                    // Retention counts back from the newest block, and backfilled data is hours old: keep it all.
                    "--storage.tsdb.retention.time=100y",
                    "--log.level=warn"));
            command.addAll(List.of(extraFlags));
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            RealPrometheus prometheus = new RealPrometheus(
                    process, URI.create("http://127.0.0.1:" + port), dataDir, log, readyAuthorization);
            try {
                prometheus.awaitReady();
                return prometheus;
            } catch (IOException e) {
                prometheus.close();
                lastFailure = e;
                if (!e.getMessage().contains("address already in use")) {
                    throw e;
                }
            }
        }
        throw lastFailure;
    }

    /** Where Prometheus answers, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return url;
    }

    /** The TSDB directory (the backfilled blocks). */
    public Path dataDir() {
        return dataDir;
    }

    /** Prometheus' own log so far (for failure messages). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            HttpRequest.Builder probe =
                    HttpRequest.newBuilder(url.resolve("/-/ready")).timeout(Duration.ofSeconds(2));
            if (readyAuthorization != null) {
                probe.header("Authorization", readyAuthorization);
            }
            HttpRequest ready = probe.build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(
                            "Prometheus exited with " + process.exitValue() + " before it was ready:\n" + log());
                }
                try {
                    if (client.send(ready, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for Prometheus", e);
        }
        throw new IOException("Prometheus was not ready within " + READY_TIMEOUT + " at " + url + ":\n" + log());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the JVM is already shutting down and runs the hook anyway
        }
    }

    private static void run(Path workDir, String... command) throws IOException {
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Optional<Path> executable(String name) {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}

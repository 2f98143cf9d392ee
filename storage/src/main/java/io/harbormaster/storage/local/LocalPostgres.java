package io.harbormaster.storage.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster on a free loopback port, started from the machine's own PostgreSQL binaries
 * (Debian's {@code postgresql} package) with {@code initdb} and {@code pg_ctl}. Used by the tests and by
 * {@code bench audit --db postgres}; when running as root the server runs as the {@code postgres} user, since
 * PostgreSQL refuses to run as root.
 */
public final class LocalPostgres implements AutoCloseable {
    private final Path bin;
    private final Path root;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;

    private LocalPostgres(Path bin, Path root, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.root = root;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::stopQuietly, "local-postgres-stop");
    }

    /** The directory holding {@code initdb} and {@code pg_ctl}, if PostgreSQL is installed. */
    public static Optional<Path> binaries() {
        var candidates = new ArrayList<Path>();
        var debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin"))
                        .sorted(Comparator.reverseOrder())
                        .forEach(candidates::add);
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        var path = System.getenv("PATH");
        if (path != null) {
            for (var dir : path.split(":")) {
                candidates.add(Path.of(dir));
            }
        }
        return candidates.stream()
                .filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .findFirst();
    }

    /**
     * Starts a new cluster. {@code durable} keeps PostgreSQL's defaults (fsync on); otherwise fsync and synchronous
     * commit are off, which tests want for speed.
     */
    public static LocalPostgres start(boolean durable) {
        var bin = binaries()
                .orElseThrow(
                        () -> new IllegalStateException(
                                "PostgreSQL is not installed: install Debian's postgresql package (apt-get install postgresql)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            var dir = Files.createTempDirectory(
                    Path.of("/tmp"),
                    "harbormaster-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            var pg = new LocalPostgres(bin, dir, freePort(), root);
            pg.initAndStart(durable);
            Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a local PostgreSQL: " + e.getMessage(), e);
        }
    }

    private void initAndStart(boolean durable) throws IOException {
        if (asPostgresUser) {
            run(List.of("chown", "postgres:postgres", root.toString()), false);
        }
        var data = root.resolve("data");
        run(
                List.of(
                        bin.resolve("initdb").toString(),
                        "-A",
                        "trust",
                        "-U",
                        "postgres",
                        "-E",
                        "UTF8",
                        "--locale=C",
                        "--no-sync",
                        "-D",
                        data.toString()),
                true);
        var options = "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c max_connections=200"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        root.resolve("server.log").toString(),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        "60",
                        "start"),
                true);
    }

    private void run(List<String> command, boolean asServerUser) throws IOException {
        var full = new ArrayList<String>();
        if (asServerUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        var process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish in 90 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", full) + " failed (exit " + process.exitValue() + "): " + output);
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Creates an empty database and returns its JDBC URL. */
    public String createDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database names here are lower-case letters, digits and _: " + name);
        }
        try (var conn = DriverManager.getConnection(jdbcUrl("postgres"));
                var st = conn.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    /** The JDBC URL of a database in this cluster, as the superuser {@code postgres}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private synchronized void stopQuietly() {
        if (!Files.exists(root)) {
            return;
        }
        try {
            run(
                    List.of(
                            bin.resolve("pg_ctl").toString(),
                            "-D",
                            root.resolve("data").toString(),
                            "-m",
                            "immediate",
                            "-w",
                            "stop"),
                    true);
        } catch (IOException e) {
            // the server may already be gone; the files are removed either way
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}

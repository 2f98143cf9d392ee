package io.harbormaster.bot.sandbox;

import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.sandbox.SimulatedCi;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a sandbox keeps beside its database, each in a small text file of its data directory written whole and then
 * moved into place, so a sandbox stopped at any moment leaves either the old or the new file: the audit signing key,
 * the CI signing secret, the simulated cluster's Deployments, the faults injected into versions, and the Slack
 * channel.
 */
final class SandboxFiles {
    /** A service's first install, when the sandbox is new. */
    record Install(RolloutTarget target, String image, int replicas) {}

    private final Path dir;
    private final Set<String> crashing = ConcurrentHashMap.newKeySet();

    SandboxFiles(Path dir) {
        this.dir = dir;
    }

    /** The audit checkpoint key: made on the first start, then read, so checkpoints verify across restarts. */
    CheckpointSigner auditKey() throws IOException {
        var file = dir.resolve("audit-key.txt");
        if (Files.exists(file)) {
            var lines = Files.readAllLines(file);
            if (lines.size() < 2) {
                throw new IOException(file + " is damaged (expected the private and the public key, one per line);"
                        + " delete the data directory to start the sandbox afresh");
            }
            try {
                return CheckpointSigner.fromBase64(lines.get(0), lines.get(1));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is damaged (" + e.getMessage() + "); delete the data directory to start"
                        + " the sandbox afresh");
            }
        }
        var signer = CheckpointSigner.generate();
        write(file, signer.privateKeyBase64() + "\n" + signer.publicKeyBase64() + "\n"); // owner-only from the start
        return signer;
    }

    /** The file of the sandbox's own CI signing secret. */
    static final String CI_SECRET = "ci-signing-secret";

    /**
     * The secret the sandbox's CI requests are signed with, when {@code HARBORMASTER_CI_SIGNING_SECRET} gives none:
     * made on the first start (32 random bytes, in hex), owner-only, then read, so that a script signing with it goes
     * on working after a restart. A secret written into the file by hand is taken as it is.
     */
    String ciSecret() throws IOException {
        var file = dir.resolve(CI_SECRET);
        if (Files.exists(file)) {
            var secret = Files.readString(file).strip();
            if (secret.isEmpty()) {
                throw new IOException(file + " is empty; delete it and the sandbox makes a new secret at its next"
                        + " start, or set HARBORMASTER_CI_SIGNING_SECRET");
            }
            return secret;
        }
        var bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        var secret = java.util.HexFormat.of().formatHex(bytes);
        write(file, secret + "\n"); // owner-only from the start
        return secret;
    }

    /** Restores the cluster as it was saved, or installs every service's first version into a new one. */
    void loadCluster(SimulatedCluster cluster, List<Install> installs) throws IOException {
        var file = dir.resolve("cluster.tsv");
        if (!Files.exists(file)) {
            installs.forEach(i -> cluster.install(i.target(), i.image(), i.replicas()));
            return;
        }
        var targets = new HashMap<String, RolloutTarget>();
        installs.forEach(
                i -> targets.put(i.target().namespace() + "/" + i.target().deployment(), i.target()));
        var tracks = new HashMap<String, Map<Track, SimulatedCluster.Workload>>();
        var full = new HashMap<String, Integer>();
        for (var line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            var f = line.split("\t");
            if (f.length != 6) {
                throw new IOException(file + " is damaged at '" + line + "'; delete the data directory to start the"
                        + " sandbox afresh");
            }
            full.put(f[0], Integer.parseInt(f[1]));
            tracks.computeIfAbsent(f[0], k -> new EnumMap<>(Track.class))
                    .put(
                            Track.valueOf(f[2]),
                            new SimulatedCluster.Workload(f[3], Integer.parseInt(f[4]), Boolean.parseBoolean(f[5])));
        }
        for (var install : installs) {
            var key = install.target().namespace() + "/" + install.target().deployment();
            if (tracks.containsKey(key)) {
                cluster.restore(install.target(), tracks.get(key), full.get(key));
            } else {
                cluster.install(install.target(), install.image(), install.replicas());
            }
        }
    }

    void saveCluster(SimulatedCluster cluster) {
        var out = new StringBuilder();
        cluster.all().forEach((key, installed) -> installed.tracks().forEach((track, w) -> out.append(key)
                .append('\t')
                .append(installed.fullReplicas())
                .append('\t')
                .append(track.name())
                .append('\t')
                .append(w.image())
                .append('\t')
                .append(w.replicas())
                .append('\t')
                .append(w.ready())
                .append('\n')));
        try {
            write(dir.resolve("cluster.tsv"), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the simulated cluster in " + dir, e);
        }
    }

    /** The faults saved by the last run, or the simulated CI's own (its faulty build) in a new sandbox. */
    void loadFaults(SimulatedCi ci, SimulatedMetrics metrics, SimulatedCluster cluster) throws IOException {
        var file = dir.resolve("faults.tsv");
        if (!Files.exists(file)) {
            for (var b : ci.builds()) {
                metrics.inject(b.service(), b.version(), b.fault());
            }
            return;
        }
        for (var line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            var f = line.split("\t");
            if (f.length != 5) {
                throw new IOException(file + " is damaged at '" + line + "'; delete the data directory to start the"
                        + " sandbox afresh");
            }
            metrics.inject(f[0], f[1], new Fault(Double.parseDouble(f[2]), Double.parseDouble(f[3])));
            if (Boolean.parseBoolean(f[4])) {
                var image = SimulatedCi.REGISTRY + "/" + f[0] + ":" + f[1];
                crashing.add(image);
                cluster.crash(image, true);
            }
        }
    }

    /** Marks {@code image} crashing or not, remembered by the next {@link #saveFaults}. */
    void crash(SimulatedCluster cluster, String image, boolean crashes) {
        if (crashes) {
            crashing.add(image);
        } else {
            crashing.remove(image);
        }
        cluster.crash(image, crashes);
    }

    boolean crashes(String image) {
        return crashing.contains(image);
    }

    void saveFaults(SimulatedCi ci, SimulatedMetrics metrics, SimulatedCluster cluster) {
        var out = new ArrayList<String>();
        for (var b : ci.builds()) {
            var fault = metrics.fault(b.service(), b.version());
            out.add(String.join(
                    "\t",
                    b.service(),
                    b.version(),
                    Double.toString(fault.errorRate()),
                    Double.toString(fault.latencyFactor()),
                    Boolean.toString(crashing.contains(b.image()))));
        }
        try {
            write(dir.resolve("faults.tsv"), String.join("\n", out) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the faults in " + dir, e);
        }
    }

    void loadChannel(SlackStandIn slack) throws IOException {
        var file = dir.resolve("slack-channel.json");
        if (Files.exists(file)) {
            slack.load(file);
        }
    }

    void saveChannel(SlackStandIn slack) {
        try {
            write(dir.resolve("slack-channel.json"), slack.saved());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the channel in " + dir, e);
        }
    }

    /**
     * Replaces {@code file} atomically with {@code content}, readable by its owner only (the channel and the audit
     * key are nobody else's business). Each write has its own temporary file, so two writers never mix.
     */
    private static void write(Path file, String content) throws IOException {
        Path tmp;
        try {
            tmp = Files.createTempFile(
                    file.getParent(),
                    file.getFileName() + ".",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp"); // not a POSIX file system
        }
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.config.LiveConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.policy.PolicyVersionChanges;
import io.harbormaster.engine.text.Numbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reloads harbormaster.yml's service catalog while {@code serve} runs. The file is read again every interval and
 * compared by content (its policy version), not watched for file events: a Kubernetes ConfigMap mounted as a volume
 * changes by kubelet swapping a {@code ..data} symlink, which path watches do not see as a change of the file.
 *
 * <p>A changed file is checked as {@code config check} checks it. An invalid one leaves the configuration in force as
 * it is, and its problems are logged once: again only when the file changes again. A valid one is written to the
 * audit log ({@value #ACTION}) and then put in force for every reader of the {@link LiveConfig}; its restart-only
 * settings are not, and a warning names those that differ from the ones in force (once, with the reload: a later look
 * at the same file says nothing).
 *
 * <p>Every replica reads the file (one ConfigMap) and puts the change in force, but the change is audited once: by the
 * replica that sees it first, which claims it in the database shared by the replicas ({@link PolicyVersionChanges}).
 * The others find it claimed, write no entry, and put it in force all the same.
 */
public final class ConfigReload implements AutoCloseable {
    /** The audit action of a reload. */
    public static final String ACTION = "config.reloaded";

    /** What one look at the file came to. */
    public enum Outcome {
        /** The content is the one in force, or the one last refused: nothing to do. */
        UNCHANGED,
        /** A new valid file is in force. */
        APPLIED,
        /** A new file that cannot be used (or cannot be read): the configuration in force stays. */
        INVALID
    }

    private final Path file;
    private final LiveConfig live;
    private final AuditLog audit;
    private final PolicyVersionChanges versions;
    private final BotMetrics metrics;
    private final Clock clock;
    private final String engineVersion;
    private final String replica;
    private final PrintWriter log;
    /** The content (policy version) or read failure last refused, so that it is reported once. */
    private String refused;
    /** The place of the last change of the policy version this replica knows of ({@link PolicyVersionChanges}). */
    private long known;

    private volatile ScheduledExecutorService timer;

    ConfigReload(
            Path file,
            LiveConfig live,
            AuditLog audit,
            PolicyVersionChanges versions,
            BotMetrics metrics,
            Clock clock,
            String engineVersion,
            String replica,
            PrintWriter log) {
        this.file = Objects.requireNonNull(file, "file");
        this.live = live;
        this.audit = audit;
        this.versions = versions;
        this.metrics = metrics;
        this.clock = clock;
        this.engineVersion = engineVersion;
        this.replica = replica;
        this.log = log;
        // the changes recorded before this replica started are in the file it started with (or behind it)
        this.known = versions.newest();
        // not configLoaded: the file in force was loaded when the bot was assembled, which set it
        metrics.configWatched();
    }

    /** Looks at the file every {@code every}, from {@code every} from now, until {@link #close}. */
    public void start(Duration every) {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "harbormaster-config-reload");
            t.setDaemon(true);
            return t;
        });
        long millis = every.toMillis();
        timer.scheduleWithFixedDelay(this::checkQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Looks at the file now: reads it, and puts it in force if it changed and is valid. */
    public synchronized Outcome check() {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            // A ConfigMap's swap is one rename, so a read in the middle of it is rare: said once, tried again.
            return refuse(
                    "unreadable: " + e,
                    List.of(file + ": cannot read the configuration ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")"));
        }
        var version = HarbormasterConfig.policyVersionOf(text);
        if (version.equals(live.policyVersion())) {
            refused = null;
            metrics.configReloadFailed(false); // back to the file in force after a refused one
            return Outcome.UNCHANGED;
        }
        if (version.equals(refused)) {
            return Outcome.UNCHANGED;
        }
        HarbormasterConfig next;
        try {
            next = ConfigLoader.parse(file.toString(), text);
        } catch (ConfigException e) {
            return refuse(version, e.problems());
        }
        apply(next);
        return Outcome.APPLIED;
    }

    private Outcome refuse(String what, List<String> problems) {
        if (what.equals(refused)) {
            return Outcome.UNCHANGED;
        }
        refused = what;
        metrics.configReload("invalid");
        metrics.configReloadFailed(true);
        log.println("warning: " + file + " changed but cannot be used ("
                + Numbers.count(problems.size(), "problem", "problems") + "); serve goes on with policy version "
                + live.policyVersion()
                + " and tries again when the file changes:");
        problems.forEach(p -> log.println("  " + p));
        log.println("  (harbormaster config check --config " + file + ")");
        log.flush();
        return Outcome.INVALID;
    }

    private void apply(HarbormasterConfig next) {
        var running = live.current();
        var changes = LiveConfig.CatalogChanges.between(running.catalog(), next.catalog());
        var restartOnly = LiveConfig.restartOnly(live.started(), next);
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("file", file.toString());
        // every replica reads the file; the one that saw the change first writes the entry
        reasoning.put("replica", replica);
        reasoning.put("from", running.policyVersion());
        reasoning.put("to", next.policyVersion());
        reasoning.put("services_added", changes.servicesAdded());
        reasoning.put("services_removed", changes.servicesRemoved());
        reasoning.put("services_changed", changes.servicesChanged());
        reasoning.put("groups_changed", changes.groups());
        reasoning.put("restart_only_changed", restartOnly);
        // Written before the swap, and stamped with the new policy version: the first entry under the new rules says
        // when they came in. A log that cannot take it (the database down) leaves the old rules in force until the
        // next look. A replica that finds the change claimed by another writes nothing and swaps all the same.
        var record = new AuditRecord(
                clock.instant(),
                "engine",
                ACTION,
                "",
                "",
                "",
                "reloaded",
                CanonicalJson.of(reasoning),
                engineVersion,
                next.policyVersion());
        var claim = versions.claim(
                known,
                running.policyVersion(),
                next.policyVersion(),
                replica,
                clock.instant(),
                () -> audit.append(record));
        known = claim.place();
        live.swap(next);
        refused = null;
        metrics.configReload("applied");
        metrics.configReloadFailed(false);
        metrics.configLoaded(clock.instant());
        log.println("note: " + file + " reloaded: policy version " + running.policyVersion() + " -> "
                + next.policyVersion() + describe(changes)
                + (claim instanceof PolicyVersionChanges.Claim.Seen seen
                        ? "; audited by replica " + seen.replica() + ", which saw the change first"
                        : ""));
        if (!restartOnly.isEmpty()) {
            log.println("warning: " + file + " changes " + String.join(", ", restartOnly)
                    + ", which take effect at the next restart; until then serve keeps the values it started with");
        }
        log.flush();
    }

    private static String describe(LiveConfig.CatalogChanges changes) {
        var parts = new java.util.ArrayList<String>();
        if (!changes.servicesAdded().isEmpty()) {
            parts.add("services added: " + String.join(", ", changes.servicesAdded()));
        }
        if (!changes.servicesRemoved().isEmpty()) {
            parts.add("services removed: " + String.join(", ", changes.servicesRemoved()));
        }
        if (!changes.servicesChanged().isEmpty()) {
            parts.add("services changed: " + String.join(", ", changes.servicesChanged()));
        }
        if (!changes.groups().isEmpty()) {
            parts.add("groups changed: " + String.join(", ", changes.groups()));
        }
        return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
    }

    /** A look on the timer: a failure (the audit log out of reach) is said, and the next look tries again. */
    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.println(
                    "warning: reloading " + file + " failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "); the configuration in force stays, and the next look tries again");
            log.flush();
        }
    }

    @Override
    public void close() {
        var t = timer;
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

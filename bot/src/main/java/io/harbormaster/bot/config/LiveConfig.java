package io.harbormaster.bot.config;

import io.harbormaster.engine.policy.ServiceCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration a running bot goes by: the file it started with, and the service catalog and policy version of
 * the newest valid file {@code serve} has reloaded since. Every part of the bot reads the catalog through this one
 * holder ({@link #catalog()}), so a reload is seen by all of them from the same moment on; the settings that are read
 * once at start ({@link #restartOnly}) keep the values of {@link #started()}.
 */
public final class LiveConfig {
    private final HarbormasterConfig started;
    private volatile HarbormasterConfig current;

    public LiveConfig(HarbormasterConfig started) {
        this.started = Objects.requireNonNull(started, "started");
        this.current = started;
    }

    /** The file the bot started with: where the restart-only settings in force come from. */
    public HarbormasterConfig started() {
        return started;
    }

    /** The newest valid file: its catalog and policy version are in force, its restart-only settings are not. */
    public HarbormasterConfig current() {
        return current;
    }

    /** The service catalog in force now. */
    public ServiceCatalog catalog() {
        return current.catalog();
    }

    /** The policy version of the file whose catalog is in force: what an audit entry written now carries. */
    public String policyVersion() {
        return current.policyVersion();
    }

    /** Puts {@code next}'s catalog and policy version in force, for every reader at once. */
    public void swap(HarbormasterConfig next) {
        current = Objects.requireNonNull(next, "next");
    }

    /**
     * The settings, by their key in harbormaster.yml, that {@code next} sets otherwise than {@code running} and that
     * take effect only at the next start: they are baked into the parts built at start (the pipeline's timeouts, the
     * audit log, the Prometheus and Slack connections, the advisor and the risk model).
     */
    public static List<String> restartOnly(HarbormasterConfig running, HarbormasterConfig next) {
        var changed = new ArrayList<String>();
        if (!running.environment().equals(next.environment())) {
            changed.add("defaults.environment");
        }
        if (!running.approvalTimeout().equals(next.approvalTimeout())) {
            changed.add("defaults.approval_timeout");
        }
        if (!running.autoDeployBlock().equals(next.autoDeployBlock())) {
            changed.add("defaults.auto_deploy_block");
        }
        if (!running.incidentBlock().equals(next.incidentBlock())) {
            changed.add("defaults.incident_block");
        }
        if (!running.readinessTimeout().equals(next.readinessTimeout())) {
            changed.add("defaults.readiness_timeout");
        }
        if (running.checkpointEvery() != next.checkpointEvery()) {
            changed.add("audit.checkpoint_every");
        }
        if (!running.prometheus().equals(next.prometheus())) {
            changed.add("prometheus");
        }
        if (running.socketMode() != next.socketMode()) {
            changed.add("slack.socket_mode");
        }
        if (!running.advisor().equals(next.advisor())) {
            changed.add("advisor");
        }
        if (!running.risk().equals(next.risk())) {
            changed.add("risk");
        }
        return List.copyOf(changed);
    }

    /**
     * What changed in the catalog from {@code before} to {@code after}, by name: services added, removed and changed
     * (any of their settings), and groups whose members changed (or that came or went).
     */
    public record CatalogChanges(
            List<String> servicesAdded,
            List<String> servicesRemoved,
            List<String> servicesChanged,
            List<String> groups) {
        public static CatalogChanges between(ServiceCatalog before, ServiceCatalog after) {
            var added = new TreeSet<>(after.services().keySet());
            added.removeAll(before.services().keySet());
            var removed = new TreeSet<>(before.services().keySet());
            removed.removeAll(after.services().keySet());
            var changed = new TreeSet<String>();
            before.services().forEach((name, spec) -> {
                var now = after.services().get(name);
                if (now != null && !now.equals(spec)) {
                    changed.add(name);
                }
            });
            var groups = new TreeSet<String>();
            var names = new TreeSet<>(before.groups().keySet());
            names.addAll(after.groups().keySet());
            for (var group : names) {
                if (!Objects.equals(
                        before.groups().getOrDefault(group, Set.of()),
                        after.groups().getOrDefault(group, Set.of()))) {
                    groups.add(group);
                }
            }
            return new CatalogChanges(
                    List.copyOf(added), List.copyOf(removed), List.copyOf(changed), List.copyOf(groups));
        }
    }
}

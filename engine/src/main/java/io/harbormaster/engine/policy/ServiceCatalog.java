package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The services Harbormaster deploys and the policies around them, as configured in {@code harbormaster.yml}: the
 * approver groups, the configured freezes, the services themselves, and the other names people go by.
 */
public record ServiceCatalog(
        Map<String, ServiceSpec> services,
        Map<String, Set<String>> groups,
        List<ConfiguredFreeze> freezes,
        String auditorGroup,
        People people) {

    public ServiceCatalog {
        services = Map.copyOf(new TreeMap<>(services));
        groups = Map.copyOf(groups);
        freezes = List.copyOf(freezes);
    }

    /** A catalog with nobody's other names known ({@link People#NONE}). */
    public ServiceCatalog(
            Map<String, ServiceSpec> services,
            Map<String, Set<String>> groups,
            List<ConfiguredFreeze> freezes,
            String auditorGroup) {
        this(services, groups, freezes, auditorGroup, People.NONE);
    }

    /** The services anyone in Slack may deploy, roll back, lock and unlock (no deployer group), sorted. */
    public List<String> openToAnyone() {
        return services.values().stream()
                .filter(s -> s.deployerGroup().isEmpty())
                .map(ServiceSpec::name)
                .sorted()
                .toList();
    }

    /** A freeze written in the configuration (services empty: every service). */
    public record ConfiguredFreeze(Set<String> services, Instant from, Instant to, String reason) {
        public boolean covers(String service, Instant at) {
            return (services.isEmpty() || services.contains(service)) && !at.isBefore(from) && at.isBefore(to);
        }
    }

    public Optional<ServiceSpec> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** The members of an approver group (empty if there is no such group). */
    public Set<String> members(String group) {
        return group == null ? Set.of() : groups.getOrDefault(group, Set.of());
    }

    /**
     * The group whose members review the emergency deploys of {@code service} after the fact: its approvers; for a
     * service no longer configured, which names no approvers, the auditor group (it answers for the audit trail, and
     * {@code /audit decision=emergency} shows it the deploys still waiting for a review).
     */
    public String reviewerGroup(String service) {
        return service(service).map(ServiceSpec::approverGroup).orElse(auditorGroup);
    }

    /** Services that depend on {@code service}: who could break when it changes. */
    public List<String> dependents(String service) {
        return services.values().stream()
                .filter(s -> s.dependency(service).isPresent())
                .map(ServiceSpec::name)
                .sorted()
                .toList();
    }

    /** The catalog's service names closest to {@code name}, for "did you mean" answers. */
    public List<String> closest(String name, int max) {
        var names = new ArrayList<>(services.keySet());
        names.sort(
                Comparator.comparingInt((String n) -> Names.distance(n, name)).thenComparing(n -> n));
        return names.subList(0, Math.min(max, names.size()));
    }
}

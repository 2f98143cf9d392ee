package io.harbormaster.engine.rollout;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The workload a rollout changes: the stable Deployment of a service and the container whose image it ships.
 *
 * <p>The canary and baseline Deployments are named {@code <deployment>-canary} and {@code <deployment>-baseline}, so
 * their pods' names start with those prefixes (the default pod-restart query relies on it).
 */
public record RolloutTarget(String namespace, String deployment, String container) {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    // a Deployment name is a DNS subdomain, but its pods' names and their hostnames want a label; the longest suffix
    // we add is "-baseline" (9 characters), and the ReplicaSet and pod suffixes need about 17 more
    private static final int MAX_DEPLOYMENT_NAME = 63 - 9 - 17;

    public RolloutTarget {
        requireLabel("namespace", namespace, 63);
        requireLabel("deployment", deployment, MAX_DEPLOYMENT_NAME);
        requireLabel("container", container, 63);
    }

    /** The Deployment of the given track: the stable one itself, or the derived canary or baseline. */
    public String deploymentOf(Track track) {
        return switch (track) {
            case STABLE -> deployment;
            case CANARY, BASELINE -> deployment + "-" + track.label();
        };
    }

    @Override
    public String toString() {
        return namespace + "/" + deployment + " (container " + container + ")";
    }

    private static void requireLabel(String what, String value, int maxLength) {
        Objects.requireNonNull(value, what);
        if (value.length() > maxLength || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a DNS label (lower-case letters, digits"
                    + " and '-', at most " + maxLength + " characters)");
        }
    }
}

package io.harbormaster.engine.rollout;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryPolicyJson;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The canary policy a deploy's canary started with, as the store keeps it: the canary is judged by it to its end,
 * whatever the configuration says by then. {@code escalated} says which of its service's policies it was (the
 * escalated canary's or the standard one), {@code json} is the policy written out in the keys of a policy file
 * ({@link CanaryPolicyJson}), and {@code hash} is that text's short hash, which the canary's decisions in the audit log
 * name.
 *
 * <p>{@code metricTemplates} are its service's own metrics query templates as the canary started (an empty map: the
 * metrics store's defaults), which read its metrics to its end ({@link
 * io.harbormaster.engine.canary.MetricsQuery#metricTemplates()}); empty for a canary recorded before templates were,
 * which is read by the templates configured at each read. They are not part of the policy file nor of its hash.
 */
public record StartedPolicy(
        boolean escalated, String json, String hash, Optional<Map<String, String>> metricTemplates) {
    public StartedPolicy {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(hash, "hash");
        metricTemplates =
                Objects.requireNonNull(metricTemplates, "metricTemplates").map(Map::copyOf);
    }

    /** A record without metrics templates. */
    public StartedPolicy(boolean escalated, String json, String hash) {
        this(escalated, json, hash, Optional.empty());
    }

    /** The record of {@code policy}, the {@code escalated} one of its service or not, without metrics templates. */
    public static StartedPolicy of(boolean escalated, CanaryPolicy policy) {
        var json = CanaryPolicyJson.write(policy);
        return new StartedPolicy(escalated, json, CanaryPolicyJson.hash(json));
    }

    /** The record of {@code policy} and of the service's own metrics templates (none: an empty map). */
    public static StartedPolicy of(boolean escalated, CanaryPolicy policy, Map<String, String> metricTemplates) {
        var json = CanaryPolicyJson.write(policy);
        return new StartedPolicy(escalated, json, CanaryPolicyJson.hash(json), Optional.of(metricTemplates));
    }

    /**
     * The policy; refuses ({@link IllegalArgumentException}) a text that is not the one its hash was taken of, or one
     * this version cannot read.
     */
    public CanaryPolicy policy() {
        if (!CanaryPolicyJson.hash(json).equals(hash)) {
            throw new IllegalArgumentException("the stored canary policy " + hash
                    + " does not match its hash: it was changed after it was stored");
        }
        return CanaryPolicyJson.read(json);
    }

    /** How audit entries name it: {@code escalated} or {@code standard}. */
    public String variant() {
        return escalated ? "escalated" : "standard";
    }
}

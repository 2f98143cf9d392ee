package io.harbormaster.engine.advice;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * A past deploy or incident as the advisor remembers it: a text to compare new changes and incidents with, and how it
 * ended.
 *
 * @param kind a deploy or an incident
 * @param deployId the deploy (for an incident: the deploy that caused it)
 * @param incidentId the incident, for kind {@link Kind#INCIDENT}
 * @param service the service
 * @param version the version deployed
 * @param text what changed (and for an incident: what tripped), in words
 * @param outcome how a deploy ended ({@link #PROMOTED}, {@link #ROLLED_BACK}, {@link #FAILED_IN_CLUSTER}; earlier
 *     versions also kept {@code failed}, for any failure); for an incident its resolution, or "unresolved"
 * @param at when it ended
 */
public record PastCase(
        Kind kind,
        long deployId,
        OptionalLong incidentId,
        String service,
        String version,
        String text,
        String outcome,
        Instant at) {

    /** A deploy whose version went live. */
    public static final String PROMOTED = "promoted";

    /** A deploy rolled back for what its version did: a metric or hard trigger tripped, or its pods never got ready. */
    public static final String ROLLED_BACK = "rolled_back";

    /** A deploy that failed while its canary ran in the cluster. */
    public static final String FAILED_IN_CLUSTER = "failed_in_cluster";

    /**
     * Whether a deploy that ended so went wrong because of its change: what the context package's similar past deploys
     * are drawn from. A deploy that never ran (blocked in preflight, stopped or refused before the cluster) or that a
     * person stopped says nothing of its change, and is not remembered as one.
     */
    public static boolean wentWrong(String outcome) {
        return outcome.equals(ROLLED_BACK) || outcome.equals(FAILED_IN_CLUSTER);
    }

    /** How an outcome reads: "rolled back", "failed in the cluster". */
    public static String words(String outcome) {
        return outcome.equals(FAILED_IN_CLUSTER) ? "failed in the cluster" : outcome.replace('_', ' ');
    }

    /** A deploy or an incident. */
    public enum Kind {
        DEPLOY,
        INCIDENT
    }

    /** How people refer to it: "deploy #12" or "incident #3". */
    public String ref() {
        return kind == Kind.INCIDENT && incidentId.isPresent()
                ? "incident #" + incidentId.getAsLong()
                : "deploy #" + deployId;
    }
}

package io.harbormaster.engine.rollout;

import java.util.List;

/**
 * A past incident shown next to a change, with what that change shares with the version the incident rolled back, in
 * words ("also changed Cart.java", "also added payments-client"): why it is shown. Empty when it is shown as one of the
 * service's latest incidents only, because none shares anything with the change ({@link SimilarIncidents}).
 */
public record SimilarIncident(Incident incident, List<String> shared) {
    public SimilarIncident {
        shared = List.copyOf(shared);
    }

    /** Whether it is shown for what it shares with the change, rather than as one of the latest. */
    public boolean similar() {
        return !shared.isEmpty();
    }
}

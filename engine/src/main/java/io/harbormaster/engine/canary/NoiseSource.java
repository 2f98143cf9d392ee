package io.harbormaster.engine.canary;

/**
 * Where the noise a canary starts from was measured ({@link CanaryNoise}), so that its evidence says so truly: in the
 * service's earlier promoted canaries, kept by the store, or on its stable track before the canary started, for a
 * canary that has no earlier ones ({@link StableTrackNoise}).
 */
public enum NoiseSource {
    EARLIER_CANARIES("earlier canaries"),
    STABLE_TRACK("the stable track before the canary");

    private final String words;

    NoiseSource(String words) {
        this.words = words;
    }

    /** What the evidence says the noise level is known from. */
    public String words() {
        return words;
    }
}

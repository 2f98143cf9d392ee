package io.harbormaster.engine.rollout;

/**
 * How many pods each track runs at one canary step, when traffic follows pods (all three Deployments' pods sit behind
 * the service's one Service, so each pod takes about the same share of requests).
 *
 * @param weightPercent the step's traffic weight this plan was made for
 */
public record ReplicaPlan(int weightPercent, int canary, int baseline, int stable) {
    public ReplicaPlan {
        if (weightPercent < 1 || weightPercent > 100) {
            throw new IllegalArgumentException("weight must be 1..100 percent, was " + weightPercent);
        }
        if (canary < 1 || baseline != canary || stable < 1) {
            throw new IllegalArgumentException("a plan needs at least one canary pod, as many baseline pods as canary"
                    + " pods and at least one stable pod; was canary=" + canary + " baseline=" + baseline + " stable="
                    + stable);
        }
    }

    /**
     * The plan for a step: the service's {@code totalReplicas} pods (at least 3: one per track) split so that the
     * canary's share of pods is as close to {@code weightPercent} as the rules allow.
     *
     * <p>The rules: the canary has at least one pod; the baseline has as many as the canary (so fresh pods are compared
     * with fresh pods); the stable keeps at least one pod until promotion. Because the baseline takes as much traffic
     * as the canary, the canary's share stays below 50%: a weight of 50 or more gets the largest canary that leaves one
     * stable pod (the 100% step is the promotion itself). The total never drops below the service's size, so capacity
     * is kept.
     */
    public static ReplicaPlan forWeight(int totalReplicas, int weightPercent) {
        if (totalReplicas < 1) {
            throw new IllegalArgumentException("a service needs at least one replica, was " + totalReplicas);
        }
        if (weightPercent < 1 || weightPercent > 100) {
            throw new IllegalArgumentException("weight must be 1..100 percent, was " + weightPercent);
        }
        int pods = Math.max(totalReplicas, 3);
        int largestCanary = (pods - 1) / 2;
        int canary = (int) Math.round(pods * weightPercent / 100.0);
        canary = Math.max(1, Math.min(largestCanary, canary));
        return new ReplicaPlan(weightPercent, canary, canary, pods - 2 * canary);
    }

    /** All pods of the three tracks. */
    public int pods() {
        return canary + baseline + stable;
    }

    /** The canary's share of requests (0..1) when traffic follows pods. */
    public double canaryShare() {
        return canary / (double) pods();
    }

    /** The canary's share of requests in whole percent. */
    public int sharePercent() {
        return (int) Math.round(100 * canaryShare());
    }

    /**
     * Whether the pods cannot give the canary the step's weight: its share is more than a point away from it (a
     * service with fewer than 20 pods has no 5% step; with 3, every step is a third).
     */
    public boolean missesWeight() {
        return Math.abs(100 * canaryShare() - weightPercent) > 1.0;
    }

    /**
     * The traffic the canary has, in words: "5% of traffic", or, when the pods cannot give the step's weight, "about
     * 33% of traffic (1 canary pod of 3; the step asks for 5%)".
     */
    public String trafficInWords() {
        if (!missesWeight()) {
            return share() + " of traffic";
        }
        return share() + " of traffic (" + canaryPods() + "; the step asks for " + weightPercent + "%)";
    }

    /** The canary's share in words: the step's "5%", or "about 33%" when the pods cannot give the step's weight. */
    public String share() {
        return missesWeight() ? "about " + sharePercent() + "%" : weightPercent + "%";
    }

    /** "1 canary pod of 3". */
    public String canaryPods() {
        return canary + " canary pod" + (canary == 1 ? "" : "s") + " of " + pods();
    }
}

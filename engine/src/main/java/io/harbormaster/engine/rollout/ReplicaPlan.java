package io.harbormaster.engine.rollout;

import java.util.Objects;

/**
 * How many pods each track runs at one canary step, and the share of requests the canary gets with them. By
 * {@link TrafficSplit#REPLICA_RATIO} the pods set the share (all three Deployments' pods sit behind the service's one
 * Service, so each pod takes about the same share of requests); by {@link TrafficSplit#ROUTE_WEIGHTS} the route's
 * weights set it and the pods are sized for it.
 *
 * @param weightPercent the step's traffic weight this plan was made for
 * @param split how the traffic is divided, which decides the rest
 */
public record ReplicaPlan(int weightPercent, int canary, int baseline, int stable, TrafficSplit split) {
    /** The most a canary can get when the baseline gets as much: half of all traffic. */
    public static final int MOST_WEIGHT = 50;

    public ReplicaPlan {
        Objects.requireNonNull(split, "split");
        if (weightPercent < 1 || weightPercent > 100) {
            throw new IllegalArgumentException("weight must be 1..100 percent, was " + weightPercent);
        }
        if (canary < 1 || baseline != canary || stable < 1) {
            throw new IllegalArgumentException("a plan needs at least one canary pod, as many baseline pods as canary"
                    + " pods and at least one stable pod; was canary=" + canary + " baseline=" + baseline + " stable="
                    + stable);
        }
    }

    /** A plan where traffic follows pods. */
    public ReplicaPlan(int weightPercent, int canary, int baseline, int stable) {
        this(weightPercent, canary, baseline, stable, TrafficSplit.REPLICA_RATIO);
    }

    /** The plan for a step of a rollout whose traffic is divided by {@code split}. */
    public static ReplicaPlan forWeight(TrafficSplit split, int totalReplicas, int weightPercent) {
        return switch (split) {
            case REPLICA_RATIO -> forWeight(totalReplicas, weightPercent);
            case ROUTE_WEIGHTS -> forRouteWeight(totalReplicas, weightPercent);
        };
    }

    /**
     * The plan for a step when traffic follows pods: the service's {@code totalReplicas} pods (at least 3: one per
     * track) split so that the canary's share of pods is as close to {@code weightPercent} as the rules allow.
     *
     * <p>The rules: the canary has at least one pod; the baseline has as many as the canary (so fresh pods are compared
     * with fresh pods); the stable keeps at least one pod until promotion. Because the baseline takes as much traffic
     * as the canary, the canary's share stays below 50%: a weight of 50 or more gets the largest canary that leaves one
     * stable pod (the 100% step is the promotion itself). The total never drops below the service's size, so capacity
     * is kept.
     */
    public static ReplicaPlan forWeight(int totalReplicas, int weightPercent) {
        check(totalReplicas, weightPercent);
        int pods = Math.max(totalReplicas, 3);
        int largestCanary = (pods - 1) / 2;
        int canary = (int) Math.round(pods * weightPercent / 100.0);
        canary = Math.max(1, Math.min(largestCanary, canary));
        return new ReplicaPlan(weightPercent, canary, canary, pods - 2 * canary);
    }

    /**
     * The plan for a step when the route's weights divide the traffic: canary and baseline each get the step's weight
     * (at most {@value #MOST_WEIGHT}%, since the baseline gets as much as the canary), the stable Service the rest.
     *
     * <p>Canary and baseline each get as many pods as their share of the service's load needs: {@code totalReplicas}
     * times the share, rounded up, at least one, so none of their pods carries more than a stable pod did before the
     * rollout. The stable Deployment keeps all its pods: a rollback gives it all the traffic back at once, without
     * waiting for pods to start. The cost is up to twice the service's pods at the 50% step.
     */
    public static ReplicaPlan forRouteWeight(int totalReplicas, int weightPercent) {
        check(totalReplicas, weightPercent);
        int share = Math.min(weightPercent, MOST_WEIGHT);
        int pods = Math.max(1, (totalReplicas * share + 99) / 100);
        return new ReplicaPlan(weightPercent, pods, pods, totalReplicas, TrafficSplit.ROUTE_WEIGHTS);
    }

    private static void check(int totalReplicas, int weightPercent) {
        if (totalReplicas < 1) {
            throw new IllegalArgumentException("a service needs at least one replica, was " + totalReplicas);
        }
        if (weightPercent < 1 || weightPercent > 100) {
            throw new IllegalArgumentException("weight must be 1..100 percent, was " + weightPercent);
        }
    }

    /** All pods of the three tracks. */
    public int pods() {
        return canary + baseline + stable;
    }

    /**
     * The weight the route gives the canary, and as much the baseline: the step's, at most {@value #MOST_WEIGHT}
     * (what a {@link TrafficSplit#ROUTE_WEIGHTS} plan sets; by replica ratio no route is set).
     */
    public int routeWeight() {
        return Math.min(weightPercent, MOST_WEIGHT);
    }

    /** The weight the route gives the stable Service: what canary and baseline leave of 100. */
    public int stableRouteWeight() {
        return 100 - 2 * routeWeight();
    }

    /** The canary's share of requests (0..1). */
    public double canaryShare() {
        return split == TrafficSplit.ROUTE_WEIGHTS ? routeWeight() / 100.0 : canary / (double) pods();
    }

    /** The canary's share of requests in whole percent (by route weights, exactly its weight). */
    public int sharePercent() {
        return split == TrafficSplit.ROUTE_WEIGHTS ? routeWeight() : (int) Math.round(100 * canaryShare());
    }

    /**
     * Whether the canary cannot get the step's weight. By replica ratio: its share of pods is more than a point away
     * from it (a service with fewer than 20 pods has no 5% step; with 3, every step is a third). By route weights:
     * the step asks for more than {@value #MOST_WEIGHT}%.
     */
    public boolean missesWeight() {
        if (split == TrafficSplit.ROUTE_WEIGHTS) {
            return weightPercent > MOST_WEIGHT;
        }
        return Math.abs(100 * canaryShare() - weightPercent) > 1.0;
    }

    /**
     * The traffic the canary has, in words. By replica ratio the pods first, since they are what the rollout sets and
     * the share only follows them: "1 of 20 pods (5% of traffic)", and the step's weight beside the share when they
     * differ: "1 of 4 pods (25% of traffic; the step asks for 50%)", "1 of 11 pods (about 9% of traffic; the step asks
     * for 10%)". By route weights the weight is the share: "5% of traffic", or "50% of traffic (the step asks for 75%;
     * the baseline gets as much as the canary)".
     */
    public String trafficInWords() {
        if (split == TrafficSplit.ROUTE_WEIGHTS) {
            return missesWeight()
                    ? share() + " of traffic (the step asks for " + weightPercent
                            + "%; the baseline gets as much as the canary)"
                    : share() + " of traffic";
        }
        return canary + " of " + pods() + " pods (" + share() + " of traffic"
                + (sharePercent() == weightPercent ? ")" : "; the step asks for " + weightPercent + "%)");
    }

    /**
     * Where the canary is, after "canary" in a state line ("step 2: canary on 1 of 4 pods (25% of traffic)", "step 2:
     * canary at 25% of traffic"): on its pods by replica ratio, at its weight by route weights.
     */
    public String placeInWords() {
        return (split == TrafficSplit.ROUTE_WEIGHTS ? "at " : "on ") + trafficInWords();
    }

    /**
     * The canary's share in words. By replica ratio its share of the pods, in whole percent, "about" when it is not
     * one: "25%" (1 of 4), "about 33%" (1 of 3), whatever the step's weight; by route weights always the exact weight.
     */
    public String share() {
        if (split == TrafficSplit.ROUTE_WEIGHTS) {
            return routeWeight() + "%";
        }
        return (100 * canary % pods() == 0 ? "" : "about ") + sharePercent() + "%";
    }

    /**
     * How traffic is divided, in words, for a route: "route weights: canary 5%, baseline 5%, stable 90% (pods: 1
     * canary, 1 baseline, 10 stable)".
     */
    public String routeInWords() {
        return "route weights: canary " + routeWeight() + "%, baseline " + routeWeight() + "%, stable "
                + stableRouteWeight() + "% (pods: " + canary + " canary, " + baseline + " baseline, " + stable
                + " stable)";
    }
}

package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaPlanTest {

    @ParameterizedTest(name = "{0} replicas at {1}% -> canary {2}, baseline {2}, stable {3}")
    @CsvSource({
        "10, 5, 1, 8",
        "10, 25, 3, 4",
        "10, 50, 4, 2",
        "10, 100, 4, 2",
        "20, 5, 1, 18",
        "20, 25, 5, 10",
        "20, 50, 9, 2",
        "100, 5, 5, 90",
        "100, 25, 25, 50",
        "100, 50, 49, 2",
        "4, 5, 1, 2",
        "4, 50, 1, 2",
        "3, 25, 1, 1",
        "1, 5, 1, 1",
        "2, 100, 1, 1",
    })
    void splitsTheServicesPodsByTheStepsWeight(int total, int weight, int canary, int stable) {
        ReplicaPlan plan = ReplicaPlan.forWeight(total, weight);

        assertThat(plan).isEqualTo(new ReplicaPlan(weight, canary, canary, stable));
    }

    @Test
    void keepsCanaryEqualToBaselineAtLeastOneCanaryAndOneStablePodAndTheServicesCapacity() {
        for (int total = 1; total <= 60; total++) {
            for (int weight = 1; weight <= 100; weight++) {
                ReplicaPlan plan = ReplicaPlan.forWeight(total, weight);
                assertThat(plan.canary()).isEqualTo(plan.baseline()).isPositive();
                assertThat(plan.stable()).isPositive();
                assertThat(plan.pods()).isEqualTo(Math.max(total, 3));
            }
        }
    }

    @Test
    void givesTheCanaryAShareCloseToTheWeightWhenThereArePodsEnoughAndTheWeightIsBelowHalf() {
        for (int weight = 5; weight <= 45; weight += 5) {
            ReplicaPlan plan = ReplicaPlan.forWeight(100, weight);
            assertThat(plan.canaryShare()).isCloseTo(weight / 100.0, org.assertj.core.data.Offset.offset(0.005));
        }
    }

    @Test
    void neverGivesTheCanaryLessAtAHigherWeight() {
        for (int total = 1; total <= 40; total++) {
            int previous = 0;
            for (int weight = 1; weight <= 100; weight++) {
                int canary = ReplicaPlan.forWeight(total, weight).canary();
                assertThat(canary).isGreaterThanOrEqualTo(previous);
                previous = canary;
            }
        }
    }

    @Test
    void saysTheShareThePodsGiveWhenItIsNotTheStepsWeight() {
        var twenty = ReplicaPlan.forWeight(20, 5);
        assertThat(twenty.missesWeight()).isFalse();
        assertThat(twenty.trafficInWords()).isEqualTo("1 of 20 pods (5% of traffic)");
        assertThat(twenty.placeInWords()).isEqualTo("on 1 of 20 pods (5% of traffic)");
        var three = ReplicaPlan.forWeight(3, 5);
        assertThat(three.missesWeight()).isTrue();
        assertThat(three.sharePercent()).isEqualTo(33);
        assertThat(three.trafficInWords()).isEqualTo("1 of 3 pods (about 33% of traffic; the step asks for 5%)");
        assertThat(ReplicaPlan.forWeight(10, 50).trafficInWords())
                .isEqualTo("4 of 10 pods (40% of traffic; the step asks for 50%)");
        // a small service: 4 pods give the 25% step exactly, and the 50% step only 1 canary pod as well
        assertThat(ReplicaPlan.forWeight(4, 25).trafficInWords()).isEqualTo("1 of 4 pods (25% of traffic)");
        assertThat(ReplicaPlan.forWeight(4, 50).trafficInWords())
                .isEqualTo("1 of 4 pods (25% of traffic; the step asks for 50%)");
        assertThat(ReplicaPlan.forWeight(100, 25).missesWeight()).isFalse();
        // within a point of the weight: the share the pods give is said as it is, and the weight beside it when the
        // two read differently
        assertThat(ReplicaPlan.forWeight(21, 5).trafficInWords()).isEqualTo("1 of 21 pods (about 5% of traffic)");
        assertThat(ReplicaPlan.forWeight(11, 10).trafficInWords())
                .isEqualTo("1 of 11 pods (about 9% of traffic; the step asks for 10%)");
    }

    @ParameterizedTest(name = "{0} replicas at {1}% by route weights -> canary {2}, baseline {2}, stable {0}")
    @CsvSource({
        "3, 5, 1",
        "3, 25, 1",
        "3, 50, 2",
        "10, 5, 1",
        "10, 25, 3",
        "10, 50, 5",
        "20, 5, 1",
        "20, 25, 5",
        "100, 5, 5",
        "100, 50, 50",
        "1, 5, 1",
        "1, 50, 1",
        "10, 80, 5",
    })
    void byRouteWeightsSizesCanaryAndBaselineForTheirShareOfTheLoadAndKeepsTheStableWhole(
            int total, int weight, int pods) {
        ReplicaPlan plan = ReplicaPlan.forRouteWeight(total, weight);

        assertThat(plan).isEqualTo(new ReplicaPlan(weight, pods, pods, total, TrafficSplit.ROUTE_WEIGHTS));
        assertThat(ReplicaPlan.forWeight(TrafficSplit.ROUTE_WEIGHTS, total, weight))
                .isEqualTo(plan);
    }

    @Test
    void byRouteWeightsNoCanaryOrBaselinePodCarriesMoreThanAStablePodDidBeforeTheRollout() {
        for (int total = 1; total <= 60; total++) {
            for (int weight = 1; weight <= 100; weight++) {
                ReplicaPlan plan = ReplicaPlan.forRouteWeight(total, weight);
                double perPodBefore = 1.0 / total;
                assertThat(plan.canaryShare() / plan.canary()).isLessThanOrEqualTo(perPodBefore + 1e-12);
                assertThat(plan.stable()).isEqualTo(total);
                assertThat(plan.routeWeight() * 2 + plan.stableRouteWeight()).isEqualTo(100);
                assertThat(plan.stableRouteWeight()).isNotNegative();
            }
        }
    }

    @Test
    void byRouteWeightsTheShareIsTheStepsWeightExactlyWhateverThePods() {
        var three = ReplicaPlan.forRouteWeight(3, 5);
        assertThat(three.sharePercent()).isEqualTo(5);
        assertThat(three.canaryShare()).isEqualTo(0.05);
        assertThat(three.missesWeight()).isFalse();
        assertThat(three.share()).isEqualTo("5%");
        assertThat(three.trafficInWords()).isEqualTo("5% of traffic");
        assertThat(three.routeInWords())
                .isEqualTo("route weights: canary 5%, baseline 5%, stable 90% (pods: 1 canary, 1 baseline, 3 stable)");
        // the same service by replica ratio cannot give 5%
        assertThat(three.placeInWords()).isEqualTo("at 5% of traffic");
        assertThat(ReplicaPlan.forWeight(TrafficSplit.REPLICA_RATIO, 3, 5).trafficInWords())
                .isEqualTo("1 of 3 pods (about 33% of traffic; the step asks for 5%)");

        var beyondHalf = ReplicaPlan.forRouteWeight(10, 80);
        assertThat(beyondHalf.missesWeight()).isTrue();
        assertThat(beyondHalf.sharePercent()).isEqualTo(50);
        assertThat(beyondHalf.trafficInWords())
                .isEqualTo("50% of traffic (the step asks for 80%; the baseline gets as much as the canary)");
    }

    @Test
    void refusesAWeightOutsideOneToAHundredAndAServiceWithoutReplicas() {
        assertThatThrownBy(() -> ReplicaPlan.forWeight(10, 0)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> ReplicaPlan.forWeight(10, 101)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> ReplicaPlan.forWeight(0, 5)).hasMessageContaining("at least one replica");
        assertThatThrownBy(() -> ReplicaPlan.forRouteWeight(10, 0)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> ReplicaPlan.forRouteWeight(0, 5)).hasMessageContaining("at least one replica");
    }

    @Test
    void refusesAPlanWithoutStablePodsOrWithABaselineOfAnotherSize() {
        assertThatThrownBy(() -> new ReplicaPlan(50, 5, 5, 0)).hasMessageContaining("stable");
        assertThatThrownBy(() -> new ReplicaPlan(50, 2, 1, 5)).hasMessageContaining("baseline");
    }
}

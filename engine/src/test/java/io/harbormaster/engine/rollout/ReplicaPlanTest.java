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
        assertThat(twenty.trafficInWords()).isEqualTo("5% of traffic");
        var three = ReplicaPlan.forWeight(3, 5);
        assertThat(three.missesWeight()).isTrue();
        assertThat(three.sharePercent()).isEqualTo(33);
        assertThat(three.trafficInWords()).isEqualTo("about 33% of traffic (1 canary pod of 3; the step asks for 5%)");
        assertThat(ReplicaPlan.forWeight(10, 50).trafficInWords())
                .isEqualTo("about 40% of traffic (4 canary pods of 10; the step asks for 50%)");
        assertThat(ReplicaPlan.forWeight(100, 25).missesWeight()).isFalse();
    }

    @Test
    void refusesAWeightOutsideOneToAHundredAndAServiceWithoutReplicas() {
        assertThatThrownBy(() -> ReplicaPlan.forWeight(10, 0)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> ReplicaPlan.forWeight(10, 101)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> ReplicaPlan.forWeight(0, 5)).hasMessageContaining("at least one replica");
    }

    @Test
    void refusesAPlanWithoutStablePodsOrWithABaselineOfAnotherSize() {
        assertThatThrownBy(() -> new ReplicaPlan(50, 5, 5, 0)).hasMessageContaining("stable");
        assertThatThrownBy(() -> new ReplicaPlan(50, 2, 1, 5)).hasMessageContaining("baseline");
    }
}

package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The weighted Helmert contrasts both the latency e-process and the stable-track reading take. */
class LevelBlockTest {

    @Test
    void aBlocksFirstLevelHasNoContrastAndLaterOnesAreWhitenedAgainstTheRequestWeightedMean() {
        var block = new LevelBlock();
        assertThat(block.contrast(Math.log(40), 100)).isNull();
        block.add(Math.log(40), 100, 50, 0);
        block.add(Math.log(50), 300, 150, 1);

        var c = block.contrast(Math.log(45), 200);

        double mean = (100 * Math.log(40) + 300 * Math.log(50)) / 400;
        double r = Math.sqrt(1.0 / 200 + 1.0 / 400);
        assertThat(c.weight()).isEqualTo(400);
        assertThat(c.r()).isCloseTo(r, within(1e-12));
        assertThat(c.z()).isCloseTo((Math.log(45) - mean) / r, within(1e-12));
        assertThat(c.floor())
                .isCloseTo(LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION / (r * r), within(1e-15));
    }

    @Test
    void theCanarysRequestsMovedByAShiftCountFromTheOnsetOn() {
        var block = new LevelBlock();
        block.add(0, 100, 10, 3);
        block.add(0, 100, 20, 4);
        block.add(0, 100, 40, 5);

        assertThat(block.canaryRequestsFrom(0)).isEqualTo(70);
        assertThat(block.canaryRequestsFrom(4)).isEqualTo(60);
        assertThat(block.canaryRequestsFrom(6)).isZero();
    }

    @Test
    void aFullBlockAndAGapEachStartANewOne() {
        var block = new LevelBlock();
        for (int i = 0; i < LatencyEProcess.BLOCK; i++) {
            block.add(Math.log(40), 100, 0, i);
        }
        assertThat(block.contrast(Math.log(40), 100))
                .as("a full block starts over")
                .isNull();

        block.add(Math.log(40), 100, 0, 0);
        assertThat(block.contrast(Math.log(40), 100)).isNotNull();
        block.clear();
        assertThat(block.contrast(Math.log(40), 100)).as("a gap starts over").isNull();
    }
}

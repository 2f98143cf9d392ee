package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.jooq.Tables.CANARY_NOISE;
import static io.harbormaster.storage.jooq.Tables.CANARY_STABLE_NOISE;
import static io.harbormaster.storage.jooq.Tables.DEPLOY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** The one mapping of canary noise finds its columns in each table that holds it, and only there. */
class NoiseColumnsTest {
    @Test
    void eachTableGetsItsOwnColumns() {
        assertThat(NoiseColumns.in(CANARY_NOISE).errorsNoise()).isSameAs(CANARY_NOISE.ERRORS_NOISE);
        var stable = NoiseColumns.in(CANARY_STABLE_NOISE);
        assertThat(stable.p50Values()).isSameAs(CANARY_STABLE_NOISE.P50_VALUES);
        assertThat(stable.errorsNoise()).isSameAs(CANARY_STABLE_NOISE.ERRORS_NOISE);
    }

    @Test
    void aTableWithoutTheColumnsIsRefusedWhenTheMappingIsMade() {
        assertThatThrownBy(() -> NoiseColumns.in(DEPLOY))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("DEPLOY has no column P50_VALUES of type Integer to hold canary noise in");
    }

    @Test
    void aColumnOfTheSameNameButAnotherTypeIsRefused() {
        var other = DSL.select(DSL.inline("fifty").as(CANARY_NOISE.P50_VALUES.getName()))
                .asTable("other");
        assertThatThrownBy(() -> NoiseColumns.in(other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("other has no column P50_VALUES of type Integer to hold canary noise in");
    }
}

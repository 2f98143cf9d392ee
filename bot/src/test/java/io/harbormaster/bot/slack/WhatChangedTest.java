package io.harbormaster.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.AnnouncedBuild;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The approval request's "What changed", from the build's announced metadata, counts its files in the right number. */
class WhatChangedTest {
    static Optional<AnnouncedBuild> build(String change) {
        return Optional.of(
                new AnnouncedBuild("payments", "3.0.0", "img", "abc1234", "ci-1", "success", change, Instant.EPOCH));
    }

    @Test
    void oneFileIsAFileAndTwoAreFiles() {
        assertThat(SlackNotifier.whatChanged(build("{\"files\":[\"db/V7.sql\"],\"la\":4,\"ld\":0}")))
                .startsWith("1 file: db/V7.sql\n");
        assertThat(SlackNotifier.whatChanged(build("{\"files\":[\"db/V7.sql\",\"src/A.java\"]}")))
                .startsWith("2 files: db/V7.sql, src/A.java\n");
        assertThat(SlackNotifier.whatChanged(build("{\"nf\":1}"))).startsWith("1 file\n");
        assertThat(SlackNotifier.whatChanged(build("{\"nf\":3}"))).startsWith("3 files\n");
    }
}

package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.VerifyReport;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AuditMessagesTest {

    @Test
    void anIntactLogCountsItsEntriesAndCheckpointsInTheRightNumber() {
        assertThat(AuditMessages.verify(new VerifyReport(1, true, OptionalLong.empty(), "", 1, 1, false))
                        .text())
                .contains("1 entry, 1 signed checkpoint, signed through entry 1.");
        assertThat(AuditMessages.verify(new VerifyReport(5, true, OptionalLong.empty(), "", 2, 4, false))
                        .text())
                .contains("5 entries, 2 signed checkpoints, signed through entry 4.");
    }
}

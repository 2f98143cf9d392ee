package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
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

    /** What /audit decision=emergency found: {@code n} routed emergency deploys, none reviewed. */
    static SlackMessage emergencies(List<String> unreviewed) {
        return AuditMessages.summary(
                AuditQuery.all().withDecision("emergency"),
                new AuditSummary(unreviewed.size(), Map.of("emergency", (long) unreviewed.size()), List.of()),
                Optional.empty(),
                Optional.empty(),
                unreviewed);
    }

    /** The text of each section, in order. */
    static List<String> sections(SlackMessage m) throws Exception {
        var out = new ArrayList<String>();
        for (var b : new ObjectMapper().readTree(BlockKitLimits.json(m.blocks()))) {
            if (b.path("type").asText().equals("section") && b.has("text")) {
                out.add(b.path("text").path("text").asText());
            }
        }
        return out;
    }

    @Test
    void longServiceNamesAndVersionsOfUnreviewedEmergencyDeploysGoIntoMoreSectionsRatherThanBeingCut()
            throws Exception {
        // the longest service name the configuration allows (63), and a long pre-release version
        var unreviewed = IntStream.range(0, AuditMessages.UNREVIEWED_SHOWN + 7)
                .mapToObj(i -> "deploy " + (100 + i) + " ("
                        + ("svc" + i + "-").repeat(20).substring(0, 63) + " 1.0.0-" + "rc".repeat(100) + i + ")")
                .toList();

        var message = emergencies(unreviewed);

        BlockKitLimitsTest.assertWithinLimits(message);
        var text = BlockKitLimits.json(message.blocks());
        assertThat(text)
                .contains(AuditMessages.UNREVIEWED_SHOWN + 7 + " emergency deploys without a review")
                .contains("… and 7 more")
                .contains("`/audit decision=reviewed` lists the reviews.")
                .doesNotContain("(truncated");
        for (int i = 0; i < AuditMessages.UNREVIEWED_SHOWN; i++) {
            assertThat(text).contains("deploy " + (100 + i) + " (");
        }
        assertThat(text).doesNotContain("deploy " + (100 + AuditMessages.UNREVIEWED_SHOWN) + " (");
        var listed = sections(message).stream()
                .filter(s -> s.contains("• deploy ") || s.contains("without a review"))
                .toList();
        assertThat(listed).hasSizeGreaterThan(1);
        for (var s : listed) {
            assertThat(s.length()).isLessThanOrEqualTo(BlockKit.SECTION_TEXT);
            assertThat(s.split("\n")).hasSizeLessThanOrEqualTo(BlockKit.LIST_LINES + 1); // a head line at most
        }
    }

    @Test
    void manyShortUnreviewedDeploysAreSplitByLineCountToo() throws Exception {
        var unreviewed = IntStream.range(0, 18)
                .mapToObj(i -> "deploy " + i + " (checkout 1." + i + ".0)")
                .toList();

        var listed = sections(emergencies(unreviewed)).stream()
                .filter(s -> s.contains("• deploy "))
                .toList();

        assertThat(listed).hasSize(2);
        assertThat(listed.getFirst()).startsWith(":warning: *18 emergency deploys without a review*");
        assertThat(listed.getFirst().split("\n")).hasSize(1 + BlockKit.LIST_LINES);
        assertThat(String.join("\n", listed))
                .contains("• deploy 0 (checkout 1.0.0)", "• deploy 17 (checkout 1.17.0)")
                .doesNotContain("more");
    }
}

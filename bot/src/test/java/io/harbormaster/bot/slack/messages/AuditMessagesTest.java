package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import java.net.URI;
import java.time.Instant;
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
        assertThat(AuditMessages.verify(new VerifyReport(1, true, OptionalLong.empty(), "", 1, 1, false), 1)
                        .text())
                .contains("1 entry, 1 signed checkpoint, signed through entry 1.");
        assertThat(AuditMessages.verify(new VerifyReport(5, true, OptionalLong.empty(), "", 2, 4, false), 2)
                        .text())
                .contains("5 entries, 2 signed checkpoints, signed through entry 4.");
    }

    @Test
    void aLogWithNoSignedCheckpointYetSaysSoAndWhenTheFirstComes() {
        var young = AuditMessages.verify(new VerifyReport(42, true, OptionalLong.empty(), "", 0, 0, false), 1000)
                .text();
        assertThat(young)
                .contains("*Audit log intact*: 42 entries, chained, but no checkpoint is signed yet: the next is signed"
                        + " at entry 1000 (every 1000 entries, `audit.checkpoint_every`), or sooner when an auditor"
                        + " opens an export link from `/audit`.")
                .doesNotContain("0 signed checkpoints", "signed through entry 0");
        assertThat(AuditMessages.verify(new VerifyReport(0, true, OptionalLong.empty(), "", 0, 0, false), 1)
                        .text())
                .contains("0 entries, chained, but no checkpoint is signed yet: the next is signed at entry 1 (every 1"
                        + " entry,");
    }

    private static final Instant NOW = Instant.parse("2026-12-07T14:06:08.181036Z");

    private static final AuditMessages.ExportLinks LINKS = new AuditMessages.ExportLinks(
            URI.create("https://bot.example/audit/export?format=csv"),
            URI.create("https://bot.example/audit/export?format=json"),
            Instant.parse("2026-12-07T14:21:08Z"),
            java.time.Duration.ofMinutes(15));

    @Test
    void theExportLinksSayWhenTheyExpireNotJustSoon() throws Exception {
        var m = AuditMessages.summary(
                AuditQuery.all().withService("checkout"),
                new AuditSummary(3, Map.of("automatic", 3L), List.of()),
                Optional.of(LINKS),
                Optional.empty());
        // the minute they work until at least (14:21:08 is said 14:21), and how long from now
        assertThat(BlockKitLimits.json(m.blocks()))
                .contains("(links expire at 2026-12-07 14:21 UTC, in 15 min)")
                .doesNotContain("expire soon");
    }

    @Test
    void timesInTheFiltersAreSaidAsPeopleReadThemNotInIso() throws Exception {
        var q = AuditQuery.all().withService("checkout").withSince(NOW).withUntil(NOW.plusSeconds(3600));
        var m = AuditMessages.summary(q, new AuditSummary(0, Map.of(), List.of()), Optional.empty(), Optional.empty());
        assertThat(m.text())
                .isEqualTo(
                        "0 audit entries (service=checkout, since 2026-12-07 14:06 UTC, until 2026-12-07 15:06 UTC)");
        assertThat(BlockKitLimits.json(m.blocks()))
                .contains("since 2026-12-07 14:06 UTC")
                .doesNotContain("T14:06");
    }

    @Test
    void aQueryThatMatchedNothingOffersNoExportAndOneEntryIsOneEntryInTheTextToo() throws Exception {
        var none = AuditMessages.summary(
                AuditQuery.all().withService("nosuch"),
                new AuditSummary(0, Map.of(), List.of()),
                Optional.of(LINKS),
                Optional.empty());
        assertThat(BlockKitLimits.json(none.blocks())).doesNotContain("Export", "bot.example");

        var one = AuditMessages.summary(
                AuditQuery.all().withService("checkout"),
                new AuditSummary(1, Map.of("automatic", 1L), List.of()),
                Optional.of(LINKS),
                Optional.empty());
        assertThat(one.text()).isEqualTo("1 audit entry (service=checkout)");
        assertThat(BlockKitLimits.json(one.blocks())).contains("*1 audit entry*", "Export", "bot.example");
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

package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UnknownFilterValuesTest {
    /** A log that only knows its distinct values. */
    record Values(Map<AuditField, List<String>> values) implements AuditLog {
        @Override
        public List<String> distinct(AuditField field, int limit) {
            var all = values.getOrDefault(field, List.of());
            return all.subList(0, Math.min(limit, all.size()));
        }

        @Override
        public AuditEntry append(AuditRecord record) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void scan(AuditQuery query, Consumer<AuditEntry> sink) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AuditSummary summarize(AuditQuery query, int newest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkpoint() {}

        @Override
        public VerifyReport verify() {
            throw new UnsupportedOperationException();
        }
    }

    static final Values LOG = new Values(Map.of(
            AuditField.SERVICE, List.of("cart", "checkout", "search"),
            AuditField.DECISION, List.of("automatic", "escalate", "rollback")));

    @Test
    void aValueNoEntryHasIsNamedWithTheValuesTheLogHasAndTheClosest() {
        var remark = UnknownFilterValues.explain(AuditQuery.all().withDecision("auto"), LOG);
        assertThat(remark)
                .contains("no entry in the audit log has decision=auto; the decision values it has are automatic,"
                        + " escalate, rollback. Did you mean decision=automatic?");
        assertThat(UnknownFilterValues.explain(AuditQuery.all().withService("chekout"), LOG))
                .hasValueSatisfying(r -> assertThat(r).endsWith("Did you mean service=checkout?"));
    }

    @Test
    void bothFiltersAreRemarkedOnAndAValueTheLogHasIsNot() {
        var both = UnknownFilterValues.explain(
                AuditQuery.all().withService("billing").withDecision("approve"), LOG);
        assertThat(both).hasValueSatisfying(r -> assertThat(r)
                .contains("service=billing")
                .contains("decision=approve")
                .doesNotContain("Did you mean service"));
        assertThat(UnknownFilterValues.explain(
                        AuditQuery.all().withService("cart").withDecision("rollback"), LOG))
                .isEmpty();
        assertThat(UnknownFilterValues.explain(AuditQuery.all(), LOG)).isEmpty();
    }

    @Test
    void aLongListIsCutAndAnUnreadableOneSaysNothing() {
        var many = IntStream.range(0, 30).mapToObj(i -> "svc-" + (100 + i)).toList();
        var remark = UnknownFilterValues.explain(
                AuditQuery.all().withService("zzz"), new Values(Map.of(AuditField.SERVICE, many)));
        assertThat(remark).hasValueSatisfying(r -> assertThat(r)
                .contains("svc-100, svc-101")
                .contains("svc-119 and 10 more.")
                .doesNotContain("svc-120"));
        var tooMany = IntStream.range(0, UnknownFilterValues.READ)
                .mapToObj(i -> "s" + i)
                .toList();
        assertThat(UnknownFilterValues.explain(
                        AuditQuery.all().withService("zzz"), new Values(Map.of(AuditField.SERVICE, tooMany))))
                .isEmpty();
        assertThat(UnknownFilterValues.explain(AuditQuery.all().withDecision("x"), new Values(Map.of())))
                .contains("no entry in the audit log has a decision yet");
    }

    @Test
    void aValueIsMatchedInOtherCapitalsByEditDistanceOrAsTheBeginningOfKnownValues() {
        var known = List.of("automatic", "emergency", "escalate", "review", "reviewed", "rollback");
        assertThat(UnknownFilterValues.meant("ESCALATE", known)).containsExactly("escalate");
        assertThat(UnknownFilterValues.meant("rolback", known)).containsExactly("rollback");
        assertThat(UnknownFilterValues.meant("auto", known)).containsExactly("automatic");
        assertThat(UnknownFilterValues.meant("rev", known)).containsExactly("review", "reviewed");
        assertThat(UnknownFilterValues.meant("e", known)).isEmpty();
        assertThat(UnknownFilterValues.meant("approve", known)).isEmpty();
        assertThat(UnknownFilterValues.explain(AuditQuery.all().withService("check"), LOG))
                .hasValueSatisfying(r -> assertThat(r).endsWith("Did you mean service=checkout?"));
    }
}

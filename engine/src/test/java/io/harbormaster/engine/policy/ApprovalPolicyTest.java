package io.harbormaster.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.policy.ApprovalPolicy.Eligibility;
import io.harbormaster.engine.policy.ApprovalPolicy.Tally;
import io.harbormaster.engine.rollout.Approval;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApprovalPolicyTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final Set<String> GROUP = Set.of("U-ann", "U-bob", "U-cat");

    static Eligibility click(String who, List<Approval> earlier, Instant expires) {
        return ApprovalPolicy.eligibility(
                who, GROUP, "payments-approvers", member("U-bob"), member("U-cat"), earlier, expires, NOW);
    }

    static Identity member(String id) {
        return Identity.Members.of(id);
    }

    static Approval approve(String who) {
        return new Approval(1, who, Approval.Decision.APPROVE, "", NOW);
    }

    @Test
    void aGroupMemberWhoIsNeitherAuthorNorRequesterMayDecide() {
        assertThat(click("U-ann", List.of(), NOW.plusSeconds(60))).isInstanceOf(Eligibility.Allowed.class);
    }

    @Test
    void outsidersRequestersAuthorsRepeatClicksAndLateClicksAreRefusedWithAReason() {
        assertThat(click("U-zed", List.of(), NOW.plusSeconds(60)))
                .isEqualTo(new Eligibility.Refused("only members of payments-approvers may decide this deploy"));
        assertThat(click("U-bob", List.of(), NOW.plusSeconds(60))).asString().contains("you requested this deploy");
        assertThat(click("U-cat", List.of(), NOW.plusSeconds(60))).asString().contains("you wrote this change");
        assertThat(click("U-ann", List.of(approve("U-ann")), NOW.plusSeconds(60)))
                .asString()
                .contains("already decided");
        assertThat(click("U-ann", List.of(), NOW)).asString().contains("expired");
        // an expiry computed from the clock carries nanoseconds; the person reads the minute
        assertThat(click("U-ann", List.of(), NOW.minusNanos(536_296_148)))
                .isEqualTo(new Eligibility.Refused(
                        "this request expired at 2026-11-23 11:59 UTC; request the deploy again"));
    }

    @Test
    void selfApprovalIsNamedEvenForSomeoneOutsideTheGroupAndBothReasonsWhenBothHold() {
        var outsiderAuthor = ApprovalPolicy.eligibility(
                "U-out",
                GROUP,
                "payments-approvers",
                member("U-bob"),
                member("U-out"),
                List.of(),
                NOW.plusSeconds(60),
                NOW);
        assertThat(outsiderAuthor).asString().contains("you wrote this change,").doesNotContain("only members");
        var both = ApprovalPolicy.eligibility(
                "U-bob",
                GROUP,
                "payments-approvers",
                member("U-bob"),
                member("U-bob"),
                List.of(),
                NOW.plusSeconds(60),
                NOW);
        assertThat(both).asString().contains("you wrote this change and requested this deploy");
    }

    @Test
    void approvalsAddUpToTheRequiredNumberAndAnyRejectionEndsIt() {
        assertThat(ApprovalPolicy.tally(List.of(approve("U-ann")), 2)).isEqualTo(Tally.WAITING);
        assertThat(ApprovalPolicy.tally(List.of(approve("U-ann"), approve("U-dan")), 2))
                .isEqualTo(Tally.APPROVED);
        var reject = new Approval(1, "U-dan", Approval.Decision.REJECT, "no", NOW);
        assertThat(ApprovalPolicy.tally(List.of(approve("U-ann"), approve("U-eve"), reject), 2))
                .isEqualTo(Tally.REJECTED);
    }

    @Test
    void approvalProgressCountsTheApprovalsInTheRightNumberAgainstWhatIsNeeded() {
        assertThat(ApprovalPolicy.progress(1, 1)).isEqualTo("1 approval of 1 needed");
        assertThat(ApprovalPolicy.progress(0, 2)).isEqualTo("0 approvals of 2 needed");
        assertThat(ApprovalPolicy.progress(2, 3)).isEqualTo("2 approvals of 3 needed");
    }
}

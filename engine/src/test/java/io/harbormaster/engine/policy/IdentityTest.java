package io.harbormaster.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityTest {
    static final People PEOPLE = new People(Map.of("octocat", "U0OCTO", "octo@example.com", "U0OCTO"));

    /** A directory that knows one address and records what it was asked. */
    static final class Directory implements PersonDirectory {
        final List<String> asked = new ArrayList<>();
        Lookup answer = new Lookup.NotFound();

        @Override
        public Lookup memberByEmail(String email) {
            asked.add(email);
            return email.equals("lee@example.com") ? new Lookup.Found("U0LEE") : answer;
        }
    }

    static Identity resolve(String named, Directory directory) {
        return Identity.resolve(named, PEOPLE, directory);
    }

    @Test
    void namesAreComparedWithoutCaseWhitespaceInvisibleCharactersOrTheirWrapping() {
        for (var spelling : List.of(
                "octocat",
                "OctoCat",
                "  octocat ",
                "\u00A0octo\u200Bcat\u2003",
                "@octocat",
                "ｏｃｔｏｃａｔ",
                "Octo Cat <octo@example.com>",
                "<mailto:OCTO@example.com|OCTO@example.com>",
                " Octo@Example.COM",
                "12345+OctoCat@users.noreply.github.com",
                "octocat@users.noreply.github.com")) {
            var who = resolve(spelling, new Directory());
            assertThat(who.is("U0OCTO")).as(spelling).isTrue();
            assertThat(who.is("U0OTHER")).as(spelling).isFalse();
        }
    }

    @Test
    void aSlackMemberIdStandsForItselfInAnySpellingAndAsAMention() {
        for (var spelling : List.of("U0CAT", " u0cat ", "<@U0CAT>", "<@U0CAT|cat>", "\u200BU0CAT")) {
            var who = resolve(spelling, new Directory());
            assertThat(who.is("U0CAT")).as(spelling).isTrue();
            assertThat(((Identity.Members) who).howKnown("U0CAT")).isEmpty();
        }
    }

    @Test
    void anEmailPeopleDoesNotListIsAskedOfTheDirectoryInLowerCaseAndAListedOneIsNot() {
        var directory = new Directory();
        var lee = resolve(" Lee@Example.com ", directory);
        assertThat(lee.is("U0LEE")).isTrue();
        assertThat(((Identity.Members) lee).howKnown("U0LEE")).contains("Slack profile");
        assertThat(directory.asked).containsExactly("lee@example.com");

        resolve("octo@example.com", directory);
        resolve("octocat", directory);
        assertThat(directory.asked).containsExactly("lee@example.com");

        var nobody = resolve("zed@example.com", directory);
        assertThat(nobody).isEqualTo(new Identity.Stranger("zed@example.com"));
        assertThat(resolve("ci-bot", directory)).isEqualTo(new Identity.Stranger("ci-bot"));
        assertThat(resolve(" \u200B", directory)).isInstanceOf(Identity.Nobody.class);
        assertThat(resolve(null, directory)).isInstanceOf(Identity.Nobody.class);
    }

    /**
     * Before, an author named by a tagged address (octo+ci@example.com, lee+deploys@example.com) was a stranger, and
     * could approve their own change: mail to it reaches the untagged mailbox, so it is that person.
     */
    @Test
    void aSubaddressedEmailIsThePersonOfTheAddressWithoutItsTag() {
        var directory = new Directory();
        assertThat(resolve("Octo+CI@Example.com", directory).is("U0OCTO")).isTrue();
        assertThat(directory.asked).isEmpty();

        var lee = resolve("lee+deploys@example.com", directory);
        assertThat(lee.is("U0LEE")).isTrue();
        assertThat(directory.asked).containsExactly("lee+deploys@example.com", "lee@example.com");

        assertThat(resolve("zed+x@example.com", new Directory())).isEqualTo(new Identity.Stranger("zed+x@example.com"));
        assertThat(People.withoutSubaddress("12345+octocat@users.noreply.github.com"))
                .as("GitHub's no-reply addresses name a login after the +")
                .isEmpty();
        assertThat(People.withoutSubaddress("+x@example.com")).isEmpty();
    }

    @Test
    void aDirectoryThatCannotAnswerLeavesTheNameUnresolvedWithWhy() {
        var directory = new Directory();
        directory.answer = new PersonDirectory.Lookup.Unavailable("Slack is down");
        var who = resolve(" zed@example.com", directory);
        assertThat(who).isEqualTo(new Identity.Unresolved("zed@example.com", "Slack is down"));
        assertThat(who.is("U0ZED")).isFalse();
    }

    @Test
    void theApprovalRulesRefuseAnApproverTheAuthorsNameMapsToAndEveryoneWhileItIsUnresolved() {
        var now = java.time.Instant.parse("2026-11-23T12:00:00Z");
        var group = java.util.Set.of("U0OCTO", "U0ANN");
        var author = resolve("OctoCat ", new Directory());
        var requester = Identity.Members.of("U0DEV");
        var octo = ApprovalPolicy.eligibility(
                "U0OCTO", group, "approvers", requester, author, List.of(), now.plusSeconds(60), now);
        assertThat(octo)
                .isEqualTo(new ApprovalPolicy.Eligibility.Refused("you wrote this change (CI names its author OctoCat,"
                        + " which `people:` in harbormaster.yml maps to you), so you cannot approve it; ask a member"
                        + " of approvers"));
        assertThat(ApprovalPolicy.eligibility(
                        "U0ANN", group, "approvers", requester, author, List.of(), now.plusSeconds(60), now))
                .isInstanceOf(ApprovalPolicy.Eligibility.Allowed.class);

        var unresolved = new Identity.Unresolved("zed@example.com", "Slack could not be asked (unreachable)");
        var ann = ApprovalPolicy.eligibility(
                "U0ANN", group, "approvers", requester, unresolved, List.of(), now.plusSeconds(60), now);
        assertThat(ann).asString().contains("nothing was counted", "zed@example.com", "unreachable", "`people:`");
        // someone outside the group hears that first
        assertThat(ApprovalPolicy.eligibility(
                        "U0OUT", group, "approvers", requester, unresolved, List.of(), now.plusSeconds(60), now))
                .asString()
                .contains("only members of approvers");
    }
}

package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.DANA;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.SMALL_CHANGE;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may run what, through the whole bot as Slack drives it (signed slash commands and clicks to /slack/events, the
 * Slack stand-in's messages out): deployer groups, someone else's lock, and approvers whom CI names by a GitHub
 * login or an email address.
 */
class AuthorizationEndToEndTest {
    static final SlackRequests.Origin CAROL = InProcessBot.inDeploys("U0CAROL", "carol");
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              shop-approvers: [U0APPROVER, U0CAROL]
              shop-deployers: [U0DEPLOYER]
              auditors: [U0AUDITOR]
            people:
              U0CAROL: [carol-gh, carol.work@example.com]
            audit:
              auditors: auditors
            services:
              vault: {namespace: shop, approvers: shop-approvers, deployers: shop-deployers}
              ledger: {namespace: shop, approvers: shop-approvers, deployers: shop-deployers}
              kiosk: {namespace: shop, approvers: shop-approvers}
              atlas: {namespace: shop, approvers: shop-approvers}
              beacon: {namespace: shop, approvers: shop-approvers}
              comet: {namespace: shop, approvers: shop-approvers}
              delta: {namespace: shop, approvers: shop-approvers}
              ember: {namespace: shop, approvers: shop-approvers}
              flint: {namespace: shop, approvers: shop-approvers}
            """);
    static final List<String> SERVICES =
            List.of("vault", "ledger", "kiosk", "atlas", "beacon", "comet", "delta", "ember", "flint");
    /** With email addresses, which approvers are matched by when CI names a change's author by one. */
    static final List<SlackStandIn.User> USERS = List.of(
            new SlackStandIn.User("U0DEPLOYER", "dana", "Dana Deployer", "dana@example.com"),
            new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver", "bob@example.com"),
            // Carol's Slack profile has her personal address; people: lists her work one.
            new SlackStandIn.User("U0CAROL", "carol", "Carol Approver", "carol@example.org"),
            new SlackStandIn.User("U0MALLORY", "mallory", "Mallory", "mallory@example.com"),
            new SlackStandIn.User("U0AUDITOR", "audrey", "Audrey Auditor"));

    /** One bot for the class: each test has its own services. */
    @RegisterExtension
    static final InProcessBot bot = new InProcessBot(InProcessBot.Options.of("authz", CONFIG, USERS, SERVICES)
            .withSlackPacing(new SlackWebApi.Settings(Duration.ofMillis(20), 1, Duration.ofSeconds(1))));

    // ------------------------------------------------------------------------------------------------ deployers

    @Test
    void someoneOutsideTheDeployersAndApproversIsRefusedEveryCommandOnTheServiceNamingTheGroupsAndAudited() {
        bot.announceNewBuild("vault", "1.1.0", SMALL_CHANGE);
        bot.requests().slashCommand(MALLORY, "/deploy", "vault 1.1.0");
        var deploy = bot.answerTo(MALLORY, "may deploy vault");
        assertThat(deploy.allText())
                .contains(
                        "Only members of *shop-deployers* or *shop-approvers* may deploy vault", "nothing was started")
                .contains("ask to be added to shop-deployers");
        bot.requests().slashCommand(MALLORY, "/deploy", "vault 1.1.0 --emergency");
        bot.await(
                "the emergency deploy's refusal",
                () -> bot.answersTo(MALLORY, "may deploy vault").size() == 2 ? 1 : null);
        bot.requests().slashCommand(MALLORY, "/deploy", "rollback vault");
        assertThat(bot.answerTo(MALLORY, "may roll back vault").allText()).contains("shop-deployers");
        bot.requests().slashCommand(MALLORY, "/deploy", "lock vault because I say so");
        assertThat(bot.answerTo(MALLORY, "may lock vault").allText()).contains("so it was not locked");
        bot.requests().slashCommand(MALLORY, "/deploy", "unlock vault");
        assertThat(bot.answerTo(MALLORY, "may unlock vault").allText()).contains("shop-approvers");

        // status and help stay open to everyone
        bot.requests().slashCommand(MALLORY, "/deploy", "status vault");
        bot.await("the status", () -> bot.answersTo(MALLORY, "").stream()
                .filter(m -> !m.allText().contains("Only members"))
                .filter(m -> m.allText().contains("vault") || m.allText().contains("No deploys"))
                .findFirst()
                .orElse(null));

        // nothing started, nothing locked, and each refusal is in the audit log with who and what
        assertThat(bot.parent("vault")).isNull();
        assertThat(bot.slack().messages(CHANNEL)).noneMatch(m -> m.allText().contains("vault is locked"));
        var refused = bot.await("the refusals in the audit log", () -> {
            var found = audited("vault").stream()
                    .filter(e -> e.record().decision().equals("refused"))
                    .toList();
            return found.size() == 5 ? found : null;
        });
        assertThat(refused).allSatisfy(e -> assertThat(e.record().actor()).isEqualTo("U0MALLORY"));
        assertThat(refused.stream().map(e -> e.record().action()))
                .containsExactly(
                        "deploy.refused", "deploy.refused", "rollback.refused", "lock.refused", "unlock.refused");
        assertThat(refused.get(1).record().reasoningJson()).contains("\"emergency\":true", "shop-deployers");
        assertThat(bot.cluster().workloads(target("vault")).values())
                .allMatch(w -> w.image().endsWith(":1.0.0"))
                .hasSize(1);
    }

    @Test
    void aDeployerAndAnApproverMayDeployLockAndUnlockTheService() {
        bot.announceNewBuild("ledger", "1.1.0", SMALL_CHANGE);
        bot.requests().slashCommand(DANA, "/deploy", "ledger 1.1.0");
        var parent = bot.await("the deployer's deploy", () -> bot.parent("ledger 1.1.0"));
        bot.await("promotion", () -> bot.updated(parent, "promoted"));

        bot.requests().slashCommand(BOB, "/deploy", "lock ledger approver's hold");
        bot.await("the approver's lock", () -> bot.posted("ledger is locked"));
        bot.requests().slashCommand(BOB, "/deploy", "unlock ledger");
        bot.await("the approver's unlock", () -> bot.posted("ledger is unlocked"));
        assertThat(bot.answersTo(DANA, "Only members")).isEmpty();
        assertThat(bot.answersTo(BOB, "Only members")).isEmpty();
    }

    @Test
    void aServiceWithoutDeployersStaysOpenToAnyoneAsBefore() {
        bot.announceNewBuild("kiosk", "1.1.0", SMALL_CHANGE);
        bot.requests().slashCommand(MALLORY, "/deploy", "kiosk 1.1.0");
        var parent = bot.await("the deploy anyone may start", () -> bot.parent("kiosk 1.1.0"));
        assertThat(parent.allText()).contains("kiosk");
        assertThat(bot.answersTo(MALLORY, "may deploy kiosk")).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ locks

    @Test
    void someoneElsesLockIsLiftedOnlyByItsSetterOrAnApproverAndTheRefusalSaysWhoSetItAndWhy() {
        bot.requests().slashCommand(MALLORY, "/deploy", "lock atlas the schema migration is running");
        bot.await("the lock", () -> bot.posted("atlas is locked"));

        // a second lock by someone else says whose lock it is and who may lift it
        bot.requests().slashCommand(DANA, "/deploy", "lock atlas my own reason");
        // the lock's setter is named as a mention, as Slack shows a person
        assertThat(bot.answerTo(DANA, "already locked by <@U0MALLORY>").allText())
                .contains(
                        "the schema migration is running",
                        "only <@U0MALLORY> or a member of *shop-approvers* may" + " unlock it");

        bot.requests().slashCommand(DANA, "/deploy", "unlock atlas");
        var refusal = bot.answerTo(DANA, "atlas is locked by <@U0MALLORY>");
        assertThat(refusal.allText())
                .contains("the schema migration is running", "Only <@U0MALLORY>, who set it, or a member of")
                .contains("shop-approvers", "it stays locked");
        assertThat(bot.slack().messages(CHANNEL)).noneMatch(m -> m.allText().contains("atlas is unlocked"));

        bot.requests().slashCommand(BOB, "/deploy", "unlock atlas");
        bot.await("the approver's unlock", () -> bot.posted("atlas is unlocked"));

        var entries = audited("atlas");
        var refused = entries.stream()
                .filter(e -> e.record().action().equals("unlock.refused"))
                .findFirst()
                .orElseThrow();
        assertThat(refused.record().actor()).isEqualTo("U0DEPLOYER");
        assertThat(refused.record().reasoningJson()).contains("\"locked_by\":\"U0MALLORY\"");
        var unlocked = entries.stream()
                .filter(e -> e.record().action().equals("service.unlocked"))
                .findFirst()
                .orElseThrow();
        assertThat(unlocked.record().actor()).isEqualTo("U0APPROVER");
        assertThat(unlocked.record().reasoningJson())
                .contains("\"locked_by\":\"U0MALLORY\"", "\"unlocked_as\":\"approver\"", "schema migration");

        // whoever set a lock lifts it themselves
        bot.requests().slashCommand(MALLORY, "/deploy", "lock atlas again");
        bot.await("the second lock", () -> bot.posted("atlas is locked: again"));
        bot.requests().slashCommand(MALLORY, "/deploy", "unlock atlas");
        bot.await(
                "the owner's unlock",
                () -> bot.slack().messages(CHANNEL).stream()
                                        .filter(m -> m.allText().contains("atlas is unlocked"))
                                        .count()
                                == 2
                        ? true
                        : null);
    }

    // ------------------------------------------------------------------------------------------------ self-approval

    @Test
    void anApproverWhomPeopleMapsToTheChangesGithubAuthorIsRefusedHoweverCiSpellsTheLogin() {
        var card = escalate("beacon", "2.0.0", "  Carol-GH\u00A0");
        bot.approve(CAROL, card);
        var refusal = bot.answerTo(CAROL, "CI names its author Carol-GH,");
        assertThat(refusal.allText())
                .contains("you wrote this change (CI names its author Carol-GH, which `people:` in harbormaster.yml"
                        + " maps to you)")
                .contains("you cannot approve it; ask a member of shop-approvers");
        assertThat(bot.current(card).orElseThrow().allText()).contains(EscalationMessages.APPROVE_ACTION);

        bot.approve(BOB, card);
        bot.await("Bob's approval", () -> bot.updated(card, "Approved by"));
    }

    @Test
    void anApproverWhoseEmailCiNamesAsTheAuthorIsRefusedWhetherPeopleListsItOrSlackKnowsIt() {
        // people: lists Carol's work address; CI's case and surrounding whitespace do not matter
        var mapped = escalate("comet", "2.0.0", " Carol.Work@EXAMPLE.com ");
        bot.approve(CAROL, mapped);
        assertThat(bot.answerTo(CAROL, "CI names its author Carol.Work@EXAMPLE.com")
                        .allText())
                .contains("you wrote this change", "which `people:` in harbormaster.yml maps to you");

        // an address only her Slack profile has: Slack's users.lookupByEmail says whose it is
        var looked = escalate("delta", "2.0.0", "Carol Approver <CAROL@example.org>");
        bot.approve(CAROL, looked);
        var refusal =
                bot.await("the refusal by Slack profile", () -> bot.answersTo(CAROL, "you wrote this change").stream()
                        .filter(m -> m.allText().contains("the email address of your Slack profile"))
                        .findFirst()
                        .orElse(null));
        assertThat(refusal.allText()).contains("CI names its author Carol Approver &lt;CAROL@example.org&gt;");
        assertThat(bot.slack().calls()).anySatisfy(c -> {
            assertThat(c.method()).isEqualTo("users.lookupByEmail");
            assertThat(c.args()).containsEntry("email", "carol@example.org");
        });

        // the refusal is audited with how CI named the author
        var refused = audited("delta").stream()
                .filter(e -> e.record().action().equals("approval.refused"))
                .findFirst()
                .orElseThrow();
        assertThat(refused.record().actor()).isEqualTo("U0CAROL");
        assertThat(refused.record().reasoningJson()).contains("CAROL@example.org", "you wrote this change");
    }

    @Test
    void whenSlackCannotSayWhoHasTheAuthorsAddressNoApprovalIsCountedAndTheAnswerSaysWhatToDo() {
        var card = escalate("ember", "2.0.0", "someone@example.net");
        bot.slack().revokeScope("users:read.email");
        try {
            bot.approve(BOB, card);
            var refusal = bot.answerTo(BOB, "nothing was counted");
            assertThat(refusal.allText())
                    .contains("I cannot tell whether you wrote this change", "someone@example.net")
                    .contains("missing_scope", "users:read.email", "`people:`");
            assertThat(bot.current(card).orElseThrow().allText()).contains(EscalationMessages.APPROVE_ACTION);
        } finally {
            bot.slack().grantScope("users:read.email");
        }
        // with the scope, Slack says nobody has the address: the approval counts
        bot.approve(BOB, card);
        bot.await("the approval", () -> bot.updated(card, "Approved by"));
    }

    @Test
    void aSlackMemberIdWithWhitespaceOrInLowerCaseIsStillItsAuthor() {
        var card = escalate("flint", "2.0.0", "\u200B u0carol \u2003");
        bot.approve(CAROL, card);
        var refusal = bot.await("the refusal", () -> bot.answersTo(CAROL, "you wrote this change").stream()
                .filter(m -> !m.allText().contains("CI names its author"))
                .findFirst()
                .orElse(null));
        assertThat(refusal.allText()).contains("you wrote this change, so you cannot approve it");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A schema-migrating change by {@code author}, announced and deployed by Dana: its approval card. */
    SlackStandIn.Message escalate(String service, String version, String author) {
        bot.announceNewBuild(service, version, migration(author));
        bot.requests().slashCommand(DANA, "/deploy", service + " " + version);
        var parent = bot.await("the parent message", () -> bot.parent(service + " " + version));
        return bot.await("the approval request", () -> bot.reply(parent, EscalationMessages.APPROVE_ACTION));
    }

    static String migration(String author) {
        return """
                {"ns":1,"nd":2,"nf":2,"entropy":0.9,"la":40,"ld":0,"lt":50,"fix":false,"ndev":3,"age":30,"nuc":2,
                 "exp":900,"rexp":400,"sexp":300,"files":["src/main/resources/db/migration/V7__orders.sql"],
                 "author":%s}""".formatted(quoted(author));
    }

    static String quoted(String s) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(s).toString();
    }

    List<AuditEntry> audited(String service) {
        return bot.audited(AuditQuery.all().withService(service));
    }
}

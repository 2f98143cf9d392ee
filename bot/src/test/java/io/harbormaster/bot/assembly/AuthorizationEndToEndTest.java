package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.EndToEndTest.await;
import static io.harbormaster.bot.assembly.EndToEndTest.deployIdIn;
import static io.harbormaster.bot.assembly.EndToEndTest.json;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may run what, through the whole bot as Slack drives it (signed slash commands and clicks to /slack/events, the
 * Slack stand-in's messages out): deployer groups, someone else's lock, and approvers whom CI names by a GitHub
 * login or an email address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationEndToEndTest {
    static final SlackRequests.Origin DANA = origin("U0DEPLOYER", "dana");
    static final SlackRequests.Origin BOB = origin("U0APPROVER", "bob");
    static final SlackRequests.Origin CAROL = origin("U0CAROL", "carol");
    static final SlackRequests.Origin MALLORY = origin("U0MALLORY", "mallory");
    static final SlackRequests.Origin AUDREY = origin("U0AUDITOR", "audrey");
    static final String CONFIG = """
            groups:
              shop-approvers: [U0APPROVER, U0CAROL]
              shop-deployers: [U0DEPLOYER]
              auditors: [U0AUDITOR]
            people:
              U0CAROL: [carol-gh, carol.work@example.com]
            audit:
              auditors: auditors
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 30
                steps: [{weight: 50, intervals: 6}]
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
            """;
    static final List<String> SERVICES =
            List.of("vault", "ledger", "kiosk", "atlas", "beacon", "comet", "delta", "ember", "flint");
    static final List<SlackStandIn.User> USERS = List.of(
            new SlackStandIn.User("U0DEPLOYER", "dana", "Dana Deployer", "dana@example.com"),
            new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver", "bob@example.com"),
            // Carol's Slack profile has her personal address; people: lists her work one.
            new SlackStandIn.User("U0CAROL", "carol", "Carol Approver", "carol@example.org"),
            new SlackStandIn.User("U0MALLORY", "mallory", "Mallory", "mallory@example.com"),
            new SlackStandIn.User("U0AUDITOR", "audrey", "Audrey Auditor"));

    final HttpClient http = HttpClient.newHttpClient();
    InProcessBot bot;
    SlackStandIn slack;
    Database db;
    SimulatedCluster cluster;
    SlackRequests requests;

    static SlackRequests.Origin origin(String id, String name) {
        return new SlackRequests.Origin(id, name, CHANNEL, "deploys");
    }

    @BeforeAll
    void start() {
        bot = InProcessBot.start(InProcessBot.Options.of("authz", CONFIG, USERS, SERVICES)
                .withSlackPacing(new SlackWebApi.Settings(Duration.ofMillis(20), 1, Duration.ofSeconds(1))));
        slack = bot.slack;
        db = bot.db;
        cluster = bot.cluster;
        requests = bot.requests;
    }

    @AfterAll
    void stop() {
        bot.close();
    }

    // ------------------------------------------------------------------------------------------------ deployers

    @Test
    void someoneOutsideTheDeployersAndApproversIsRefusedEveryCommandOnTheServiceNamingTheGroupsAndAudited()
            throws Exception {
        announce("vault", "1.1.0", change("U0DEV"));
        requests.slashCommand(MALLORY, "/deploy", "vault 1.1.0");
        var deploy = ephemeralTo(MALLORY, "may deploy vault");
        assertThat(deploy.allText())
                .contains(
                        "Only members of *shop-deployers* or *shop-approvers* may deploy vault", "nothing was started")
                .contains("ask to be added to shop-deployers");
        requests.slashCommand(MALLORY, "/deploy", "vault 1.1.0 --emergency");
        await(
                "the emergency deploy's refusal",
                () -> ephemeralsTo(MALLORY, "may deploy vault").size() == 2 ? 1 : null);
        requests.slashCommand(MALLORY, "/deploy", "rollback vault");
        assertThat(ephemeralTo(MALLORY, "may roll back vault").allText()).contains("shop-deployers");
        requests.slashCommand(MALLORY, "/deploy", "lock vault because I say so");
        assertThat(ephemeralTo(MALLORY, "may lock vault").allText()).contains("so it was not locked");
        requests.slashCommand(MALLORY, "/deploy", "unlock vault");
        assertThat(ephemeralTo(MALLORY, "may unlock vault").allText()).contains("shop-approvers");

        // status and help stay open to everyone
        requests.slashCommand(MALLORY, "/deploy", "status vault");
        await("the status", () -> ephemeralsTo(MALLORY, "").stream()
                .filter(m -> !m.allText().contains("Only members"))
                .filter(m -> m.allText().contains("vault") || m.allText().contains("No deploys"))
                .findFirst()
                .orElse(null));

        // nothing started, nothing locked, and each refusal is in the audit log with who and what
        assertThat(parent("vault")).isNull();
        assertThat(slack.messages(CHANNEL)).noneMatch(m -> m.allText().contains("vault is locked"));
        var refused = await("the refusals in the audit log", () -> {
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
        assertThat(cluster.workloads(target("vault")).values())
                .allMatch(w -> w.image().endsWith(":1.0.0"))
                .hasSize(1);
    }

    @Test
    void aDeployerAndAnApproverMayDeployLockAndUnlockTheService() throws Exception {
        announce("ledger", "1.1.0", change("U0DEV"));
        requests.slashCommand(DANA, "/deploy", "ledger 1.1.0");
        var parent = await("the deployer's deploy", () -> parent("ledger 1.1.0"));
        await("promotion", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));

        requests.slashCommand(BOB, "/deploy", "lock ledger approver's hold");
        await("the approver's lock", () -> announcement("ledger is locked"));
        requests.slashCommand(BOB, "/deploy", "unlock ledger");
        await("the approver's unlock", () -> announcement("ledger is unlocked"));
        assertThat(ephemeralsTo(DANA, "Only members")).isEmpty();
        assertThat(ephemeralsTo(BOB, "Only members")).isEmpty();
    }

    @Test
    void aServiceWithoutDeployersStaysOpenToAnyoneAsBefore() throws Exception {
        announce("kiosk", "1.1.0", change("U0DEV"));
        requests.slashCommand(MALLORY, "/deploy", "kiosk 1.1.0");
        var parent = await("the deploy anyone may start", () -> parent("kiosk 1.1.0"));
        assertThat(parent.allText()).contains("kiosk");
        assertThat(ephemeralsTo(MALLORY, "may deploy kiosk")).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ locks

    @Test
    void someoneElsesLockIsLiftedOnlyByItsSetterOrAnApproverAndTheRefusalSaysWhoSetItAndWhy() throws Exception {
        requests.slashCommand(MALLORY, "/deploy", "lock atlas the schema migration is running");
        await("the lock", () -> announcement("atlas is locked"));

        // a second lock by someone else says whose lock it is and who may lift it
        requests.slashCommand(DANA, "/deploy", "lock atlas my own reason");
        assertThat(ephemeralTo(DANA, "already locked by U0MALLORY").allText())
                .contains(
                        "the schema migration is running",
                        "only U0MALLORY or a member of *shop-approvers* may" + " unlock it");

        requests.slashCommand(DANA, "/deploy", "unlock atlas");
        var refusal = ephemeralTo(DANA, "atlas is locked by U0MALLORY");
        assertThat(refusal.allText())
                .contains("the schema migration is running", "Only U0MALLORY, who set it, or a member of")
                .contains("shop-approvers", "it stays locked");
        assertThat(slack.messages(CHANNEL)).noneMatch(m -> m.allText().contains("atlas is unlocked"));

        requests.slashCommand(BOB, "/deploy", "unlock atlas");
        await("the approver's unlock", () -> announcement("atlas is unlocked"));

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
        requests.slashCommand(MALLORY, "/deploy", "lock atlas again");
        await("the second lock", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains("atlas is locked: again"))
                .findFirst()
                .orElse(null));
        requests.slashCommand(MALLORY, "/deploy", "unlock atlas");
        await(
                "the owner's unlock",
                () -> slack.messages(CHANNEL).stream()
                                        .filter(m -> m.allText().contains("atlas is unlocked"))
                                        .count()
                                == 2
                        ? true
                        : null);
    }

    // ------------------------------------------------------------------------------------------------ self-approval

    @Test
    void anApproverWhomPeopleMapsToTheChangesGithubAuthorIsRefusedHoweverCiSpellsTheLogin() throws Exception {
        var card = escalate("beacon", "2.0.0", "  Carol-GH\u00A0");
        requests.blockAction(CAROL, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(card), json(card));
        var refusal = ephemeralTo(CAROL, "CI names its author Carol-GH,");
        assertThat(refusal.allText())
                .contains("you wrote this change (CI names its author Carol-GH, which `people:` in harbormaster.yml"
                        + " maps to you)")
                .contains("you cannot approve it; ask a member of shop-approvers");
        assertThat(slack.message(CHANNEL, card.ts()).orElseThrow().allText())
                .contains(EscalationMessages.APPROVE_ACTION);

        requests.blockAction(BOB, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(card), json(card));
        await("Bob's approval", () -> slack.message(CHANNEL, card.ts())
                .filter(m -> m.allText().contains("Approved by"))
                .orElse(null));
    }

    @Test
    void anApproverWhoseEmailCiNamesAsTheAuthorIsRefusedWhetherPeopleListsItOrSlackKnowsIt() throws Exception {
        // people: lists Carol's work address; CI's case and surrounding whitespace do not matter
        var mapped = escalate("comet", "2.0.0", " Carol.Work@EXAMPLE.com ");
        requests.blockAction(CAROL, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(mapped), json(mapped));
        assertThat(ephemeralTo(CAROL, "CI names its author Carol.Work@EXAMPLE.com")
                        .allText())
                .contains("you wrote this change", "which `people:` in harbormaster.yml maps to you");

        // an address only her Slack profile has: Slack's users.lookupByEmail says whose it is
        var looked = escalate("delta", "2.0.0", "Carol Approver <CAROL@example.org>");
        requests.blockAction(CAROL, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(looked), json(looked));
        var refusal = await("the refusal by Slack profile", () -> ephemeralsTo(CAROL, "you wrote this change").stream()
                .filter(m -> m.allText().contains("the email address of your Slack profile"))
                .findFirst()
                .orElse(null));
        assertThat(refusal.allText()).contains("CI names its author Carol Approver &lt;CAROL@example.org&gt;");
        assertThat(slack.calls()).anySatisfy(c -> {
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
    void whenSlackCannotSayWhoHasTheAuthorsAddressNoApprovalIsCountedAndTheAnswerSaysWhatToDo() throws Exception {
        var card = escalate("ember", "2.0.0", "someone@example.net");
        slack.revokeScope("users:read.email");
        try {
            requests.blockAction(BOB, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(card), json(card));
            var refusal = ephemeralTo(BOB, "nothing was counted");
            assertThat(refusal.allText())
                    .contains("I cannot tell whether you wrote this change", "someone@example.net")
                    .contains("missing_scope", "users:read.email", "`people:`");
            assertThat(slack.message(CHANNEL, card.ts()).orElseThrow().allText())
                    .contains(EscalationMessages.APPROVE_ACTION);
        } finally {
            slack.grantScope("users:read.email");
        }
        // with the scope, Slack says nobody has the address: the approval counts
        requests.blockAction(BOB, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(card), json(card));
        await("the approval", () -> slack.message(CHANNEL, card.ts())
                .filter(m -> m.allText().contains("Approved by"))
                .orElse(null));
    }

    @Test
    void aSlackMemberIdWithWhitespaceOrInLowerCaseIsStillItsAuthor() throws Exception {
        var card = escalate("flint", "2.0.0", "\u200B u0carol \u2003");
        requests.blockAction(CAROL, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(card), json(card));
        var refusal = await("the refusal", () -> ephemeralsTo(CAROL, "you wrote this change").stream()
                .filter(m -> !m.allText().contains("CI names its author"))
                .findFirst()
                .orElse(null));
        assertThat(refusal.allText()).contains("you wrote this change, so you cannot approve it");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A schema-migrating change by {@code author}, announced and deployed by Dana: its approval card. */
    SlackStandIn.Message escalate(String service, String version, String author) throws Exception {
        announce(service, version, migration(author));
        requests.slashCommand(DANA, "/deploy", service + " " + version);
        var parent = await("the parent message", () -> parent(service + " " + version));
        return await("the approval request", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains(EscalationMessages.APPROVE_ACTION))
                .findFirst()
                .orElse(null));
    }

    static String change(String author) {
        return """
                {"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,"nuc":2,
                 "exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],"author":%s}""".formatted(quoted(author));
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

    void announce(String service, String version, String change) throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":false,"requested_by":"ci-bot",
                 "change":%s}""".formatted(service, version, service, version, service, version, change);
        var response = http.send(bot.deployRequest(body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    SlackStandIn.Message parent(String titleStart) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(titleStart))
                .findFirst()
                .orElse(null);
    }

    SlackStandIn.Message announcement(String text) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains(text))
                .findFirst()
                .orElse(null);
    }

    List<SlackStandIn.Message> ephemeralsTo(SlackRequests.Origin who, String containing) {
        return slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(who.userId())))
                .filter(m -> m.allText().contains(containing))
                .toList();
    }

    SlackStandIn.Message ephemeralTo(SlackRequests.Origin who, String containing) {
        return await(
                "an answer to " + who.userName() + " with '" + containing + "'",
                () -> ephemeralsTo(who, containing).stream().findFirst().orElse(null));
    }

    List<AuditEntry> audited(String service) {
        var entries = new ArrayList<AuditEntry>();
        JooqAuditLog.reader(db, Optional.empty()).scan(AuditQuery.all().withService(service), entries::add);
        return entries;
    }
}

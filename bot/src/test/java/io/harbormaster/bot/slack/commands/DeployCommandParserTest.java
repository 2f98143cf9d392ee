package io.harbormaster.bot.slack.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.TestCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeployCommandParserTest {
    private final DeployCommandParser parser =
            new DeployCommandParser(TestCatalog.catalog(), Set.of("production", "staging"));

    private DeployCommand ok(String text) {
        var parsed = parser.parse(text);
        assertThat(parsed).as(text).isInstanceOf(Parsed.Ok.class);
        return ((Parsed.Ok<DeployCommand>) parsed).command();
    }

    private Usage invalid(String text) {
        var parsed = parser.parse(text);
        assertThat(parsed).as(text).isInstanceOf(Parsed.Invalid.class);
        return ((Parsed.Invalid<DeployCommand>) parsed).usage();
    }

    @Test
    void theEmergencyOptionMayComeFirstAndAnEmOrEnDashIsReadAsTwoHyphens() {
        var emergency = new DeployCommand.Deploy("checkout", "1.4.1x", Optional.empty(), true);
        for (var text : List.of(
                "--emergency checkout 1.4.1x",
                "checkout 1.4.1x \u2014emergency", // Slack on a Mac: -- becomes an em dash
                "checkout 1.4.1x \u2013emergency", // an en dash
                "\u2014emergency checkout 1.4.1x",
                "checkout --EMERGENCY 1.4.1x")) {
            assertThat(ok(text)).as(text).isEqualTo(emergency);
        }
        assertThat(ok("--emergency checkout 1.4.1x to staging"))
                .isEqualTo(new DeployCommand.Deploy("checkout", "1.4.1x", Optional.of("staging"), true));
        assertThat(invalid("checkout 1.4.1 \u2014emergancy").suggestions()).containsExactly("--emergency");
        // a lock's reason is not an option: its dashes stay as typed
        assertThat(ok("lock checkout \u2014 migration \u2013 do not deploy"))
                .isEqualTo(new DeployCommand.Lock("checkout", "\u2014 migration \u2013 do not deploy"));
    }

    @Test
    void aServiceTypedInAnotherCaseIsTheServiceSinceServiceNamesAreLowerCase() {
        assertThat(ok("CHECKOUT 1.4.1"))
                .isEqualTo(new DeployCommand.Deploy("checkout", "1.4.1", Optional.empty(), false));
        assertThat(ok("Checkout 1.4.1 to Production --emergency"))
                .isEqualTo(new DeployCommand.Deploy("checkout", "1.4.1", Optional.of("production"), true));
        assertThat(ok("rollback CHECKOUT")).isEqualTo(new DeployCommand.Rollback("checkout"));
        assertThat(ok("status Search")).isEqualTo(new DeployCommand.Status(Optional.of("search")));
        assertThat(ok("lock PAYMENTS db migration")).isEqualTo(new DeployCommand.Lock("payments", "db migration"));
        assertThat(ok("--emergency INVENTORY 2.0.0"))
                .isEqualTo(new DeployCommand.Deploy("inventory", "2.0.0", Optional.empty(), true));
        // a misspelling in capitals is still near its service
        assertThat(invalid("CHEKOUT 1.4.1").suggestions()).contains("checkout");
    }

    @Test
    void anEnvironmentBeforeTheVersionOrInShortIsAnsweredWithWhatWasMeant() {
        var first = invalid("checkout to production 1.4.1");
        assertThat(first.problem())
                .startsWith("Give the version first: `to <env>` comes after it, and may be left out");
        assertThat(first.suggestions()).containsExactly("/deploy checkout 1.4.1 to production");
        assertThat(invalid("checkout to staging").problem()).startsWith("Give the version first");
        var withoutTo = invalid("checkout 1.4.1 production");
        assertThat(withoutTo.problem()).startsWith("An environment comes after `to`");
        assertThat(withoutTo.suggestions()).containsExactly("/deploy checkout 1.4.1 to production");
        assertThat(invalid("checkout 1.4.1 prod").suggestions())
                .containsExactly("/deploy checkout 1.4.1 to production");
        var prod = invalid("checkout 1.4.1 to prod");
        assertThat(prod.problem()).startsWith("Unknown environment `prod` (known: production, staging).");
        assertThat(prod.suggestions()).containsExactly("production");
        assertThat(invalid("checkout 1.4.1 to stage").suggestions()).containsExactly("staging");
        assertThat(invalid("checkout 1.4.1 to producton").suggestions()).containsExactly("production");
        assertThat(DeployCommandParser.meant("prod", Set.of("production"))).contains("production");
        assertThat(DeployCommandParser.meant("live", Set.of("production"))).contains("production");
        assertThat(DeployCommandParser.meant("qa", Set.of("production"))).isEmpty();
    }

    @Test
    void whatThePersonTypedIsEchoedEscapedNeverAsABroadcastOrALink() {
        // Slack sends what was typed escaped; the parser reads it as typed, and its answer (mrkdwn) escapes it again
        for (var typed : List.of(
                "&lt;!channel&gt; 1.0",
                "checkout 1.0 --&lt;!here&gt;",
                "checkout &lt;https://evil.example|click&gt;",
                "checkout 1.0 to &lt;!channel&gt;",
                "rollback checkout &lt;!channel&gt;",
                "review &lt;!channel&gt;")) {
            assertThat(invalid(typed).message())
                    .as(typed)
                    .doesNotContain("<!channel>", "<!here>", "<https://")
                    .containsPattern("&lt;(!channel|!here|https://evil\\.example\\|click)&gt;");
        }
    }

    @Test
    void anOptionWithNothingToGoWithOrGivenTwiceIsRefusedSayingWhatToType() {
        assertThat(invalid("--emergency").message())
                .startsWith("Name the service and the version to deploy, then the option: `/deploy <service>"
                        + " <version> --emergency`.");
        assertThat(invalid("--emergency status").message())
                .startsWith("`--emergency` goes with a deploy")
                .contains(DeployCommandParser.STATUS_USAGE);
        for (var twice : List.of(
                "checkout 1.4.1 --emergency --emergency",
                "--emergency checkout 1.4.1 \u2014emergency",
                "checkout --emergency 1.4.1 --emergency")) {
            assertThat(invalid(twice).message()).as(twice).startsWith("`--emergency` is given twice: give it once.");
        }
        assertThat(ok("--help")).isEqualTo(new DeployCommand.Help());
    }

    @Test
    void aServiceAndVersionMakeADeployToTheDefaultEnvironment() {
        assertThat(ok("checkout 1.2.3"))
                .isEqualTo(new DeployCommand.Deploy("checkout", "1.2.3", Optional.empty(), false));
    }

    @Test
    void anEnvironmentAndTheEmergencyFlagAreTakenInAnyOrderAfterTheService() {
        assertThat(ok("  checkout   v2.0.0-rc1 to staging --emergency "))
                .isEqualTo(new DeployCommand.Deploy("checkout", "v2.0.0-rc1", Optional.of("staging"), true));
        assertThat(ok("checkout --emergency 1.2.3"))
                .isEqualTo(new DeployCommand.Deploy("checkout", "1.2.3", Optional.empty(), true));
    }

    @Test
    void everySubcommandParses() {
        assertThat(ok("")).isEqualTo(new DeployCommand.Help());
        assertThat(ok("help")).isEqualTo(new DeployCommand.Help());
        assertThat(ok("status")).isEqualTo(new DeployCommand.Status(Optional.empty()));
        assertThat(ok("status payments")).isEqualTo(new DeployCommand.Status(Optional.of("payments")));
        assertThat(ok("rollback payments")).isEqualTo(new DeployCommand.Rollback("payments"));
        assertThat(ok("unlock payments")).isEqualTo(new DeployCommand.Unlock("payments"));
        assertThat(ok("lock payments db migration &lt;running&gt; &amp; verifying"))
                .isEqualTo(new DeployCommand.Lock("payments", "db migration <running> & verifying"));
    }

    @Test
    void anUnknownServiceIsAnsweredWithTheClosestNames() {
        var usage = invalid("chekout 1.2.3");
        assertThat(usage.suggestions()).containsExactly("checkout");
        assertThat(usage.message()).contains("Unknown service `chekout`").contains("Did you mean `checkout`?");
        assertThat(usage.usage()).isEqualTo(DeployCommandParser.DEPLOY_USAGE);
        assertThat(invalid("rollback paymnets").suggestions()).contains("payments");
    }

    @Test
    void aServiceNothingLikeAnyOtherListsTheServices() {
        var usage = invalid("zzzzzzzzzzzz 1.0");
        assertThat(usage.suggestions()).isEmpty();
        assertThat(usage.message()).contains("Services: checkout, inventory, payments, search");
    }

    @Test
    void aMisspeltSubcommandSuggestsTheSubcommand() {
        var usage = invalid("stauts");
        assertThat(usage.suggestions()).containsExactly("status");
        assertThat(usage.usage()).isEqualTo(DeployCommandParser.STATUS_USAGE);
        assertThat(invalid("unlcok payments").suggestions()).containsExactly("unlock");
    }

    @Test
    void aMalformedVersionIsRefusedWithTheTagSyntax() {
        assertThat(invalid("checkout -1.2").message()).contains("Unknown option `-1.2`");
        assertThat(invalid("checkout .1.2").message()).contains("is not an image tag");
        assertThat(invalid("checkout 1.2.3;rm").message()).contains("is not an image tag");
        assertThat(invalid("checkout " + "1".repeat(129)).message()).contains("at most 128 characters");
        assertThat(ok("checkout " + "1".repeat(128))).isInstanceOf(DeployCommand.Deploy.class);
        assertThat(invalid("checkout").message()).contains("Which version");
    }

    @Test
    void environmentsAndOptionsAreCheckedWithSuggestions() {
        assertThat(invalid("checkout 1.2.3 to prodution").suggestions()).containsExactly("production");
        assertThat(invalid("checkout 1.2.3 too staging").suggestions()).containsExactly("to staging");
        assertThat(invalid("checkout 1.2.3 --emergancy").suggestions()).containsExactly("--emergency");
        assertThat(invalid("checkout 1.2.3 to").message()).contains("`to` needs an environment");
        assertThat(invalid("checkout 1.2.3 to staging now").message()).contains("Unexpected `now`");
    }

    @Test
    void lockNeedsAReasonAndCommandsTakeNoStrayWords() {
        assertThat(invalid("lock payments").message()).contains("needs a reason");
        assertThat(invalid("lock").usage()).isEqualTo(DeployCommandParser.LOCK_USAGE);
        assertThat(invalid("rollback payments now").message()).contains("Unexpected `now`");
        assertThat(invalid("status a b").usage()).isEqualTo(DeployCommandParser.STATUS_USAGE);
    }

    @Test
    void aLockReasonLongerThanTheCapIsRefusedSayingTheCapAndItsLength() {
        var atCap = "x".repeat(io.harbormaster.engine.policy.ServiceLock.MAX_REASON);
        assertThat(ok("lock payments " + atCap)).isEqualTo(new DeployCommand.Lock("payments", atCap));

        // 3400 characters, emoji counted as one each
        var tooLong = "db migration: ".repeat(200) + "\uD83D\uDD25".repeat(600);
        var refused = invalid("lock payments " + tooLong);
        assertThat(refused.message())
                .contains("at most 500 characters; this one has 3400.")
                .contains("Nothing was locked")
                .doesNotContain("db migration");
        assertThat(refused.usage()).isEqualTo(DeployCommandParser.LOCK_USAGE);
    }

    @Test
    void reviewNamesOneDeployByTheNumberStatusShows() {
        assertThat(ok("review 42")).isEqualTo(new DeployCommand.Review(42));
        assertThat(ok("REVIEW #42")).isEqualTo(new DeployCommand.Review(42));
        assertThat(invalid("review").message()).contains("Which deploy?").contains("/deploy review <deploy-id>");
        assertThat(invalid("review 42 43").message()).contains("Unexpected `43`");
        assertThat(invalid("review checkout").message())
                .contains("Name the deploy by its number, not its service")
                .contains("`/deploy status checkout`");
        for (var bad : List.of("0", "#", "-3", "4.2", "1234567890123456789", "42abc", "<@U0BOB>")) {
            assertThat(invalid("review " + bad).message()).as(bad).contains("is not a deploy number");
        }
        assertThat(invalid("reveiw 42").suggestions()).containsExactly("review");
    }

    @Test
    void resolveNamesOneIncidentByItsNumberAndKeepsWhatFollowsAsItsNote() {
        assertThat(ok("resolve 7")).isEqualTo(new DeployCommand.Resolve(7, ""));
        assertThat(ok("Resolve #7  cache warmed,  errors normal "))
                .isEqualTo(new DeployCommand.Resolve(7, "cache warmed, errors normal"));
        assertThat(invalid("resolve").message())
                .contains("Which incident?")
                .contains(DeployCommandParser.RESOLVE_USAGE);
        assertThat(invalid("resolve checkout").message()).contains("Name the incident by its number, not its service");
        for (var bad : List.of("0", "#", "-3", "4.2", "1234567890123456789", "seven")) {
            assertThat(invalid("resolve " + bad).message()).as(bad).contains("is not an incident number");
        }
        assertThat(invalid("reslove 7").suggestions()).containsExactly("resolve");
    }

    @Test
    void aServiceNamedReviewIsStillDeployedAsBefore() {
        var catalog = TestCatalog.catalog();
        var services = new java.util.HashMap<>(catalog.services());
        services.put("review", catalog.service("search").orElseThrow());
        var withReview = new DeployCommandParser(
                new io.harbormaster.engine.policy.ServiceCatalog(
                        services, Map.of("approvers", Set.of("U0APPROVER")), List.of(), "auditors"),
                Set.of());
        assertThat(((Parsed.Ok<DeployCommand>) withReview.parse("review 1.2.3")).command())
                .isEqualTo(new DeployCommand.Deploy("review", "1.2.3", Optional.empty(), false));
    }

    @Test
    void withoutConfiguredEnvironmentsAnyWellFormedNameIsAccepted() {
        var open = new DeployCommandParser(TestCatalog.catalog(), Set.of());
        assertThat(open.parse("checkout 1.2.3 to eu-west-1")).isInstanceOf(Parsed.Ok.class);
        assertThat(open.parse("checkout 1.2.3 to EU_West")).isInstanceOf(Parsed.Invalid.class);
    }
}

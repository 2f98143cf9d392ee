package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Track;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /deploy rollback} after a promotion, through the whole bot as Slack drives it: the revert gets its own parent
 * message and thread in the channel, the cluster runs the earlier version again, and a second rollback does not
 * revert the revert.
 */
class RevertEndToEndTest {
    static final SlackRequests.Origin DANA = new SlackRequests.Origin("U0DEPLOYER", "dana", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0APPROVER", "bob", CHANNEL, "deploys");
    static final SlackRequests.Origin MALLORY = new SlackRequests.Origin("U0MALLORY", "mallory", CHANNEL, "deploys");
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER]
              deployers: [U0DEPLOYER]
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 30
                steps: [{weight: 50, intervals: 6}]
            services:
              checkout: {namespace: shop, approvers: approvers, deployers: deployers}
            """;

    final HttpClient http = HttpClient.newHttpClient();
    InProcessBot bot;
    SlackStandIn slack;

    @BeforeEach
    void start() {
        bot = InProcessBot.start(InProcessBot.Options.of(
                "revert",
                CONFIG,
                List.of(
                        new SlackStandIn.User("U0DEPLOYER", "dana", "Dana Deployer"),
                        new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"),
                        new SlackStandIn.User("U0MALLORY", "mallory", "Mallory")),
                List.of("checkout")));
        slack = bot.slack;
    }

    @AfterEach
    void stop() {
        bot.close();
    }

    @Test
    void aRollbackAfterAPromotionRevertsInItsOwnThreadAndTheChannelHearsIt() throws Exception {
        announce("checkout", "1.1.0");
        bot.requests.slashCommand(DANA, "/deploy", "checkout 1.1.0");
        var promoted = EndToEndTest.await("the promotion", () -> parent("checkout 1.1.0")
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        assertThat(stableImage()).endsWith(":1.1.0");

        // who may roll back may revert; nobody else
        bot.requests.slashCommand(MALLORY, "/deploy", "rollback checkout");
        EndToEndTest.await("the refusal", () -> ephemeralTo(MALLORY, "may roll back checkout"));
        assertThat(parent("checkout 1.0.0")).isEmpty();

        bot.requests.slashCommand(DANA, "/deploy", "rollback checkout");
        var revert = EndToEndTest.await("the revert's parent message", () -> parent("checkout 1.0.0")
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        var thread = EndToEndTest.await("the revert's broadcast", () -> {
            var replies = slack.replies(CHANNEL, revert.ts());
            return replies.stream().anyMatch(SlackStandIn.Message::replyBroadcast) ? replies : null;
        });
        var text = String.join(
                "\n", thread.stream().map(SlackStandIn.Message::allText).toList());
        assertThat(text)
                .contains(
                        "Revert requested by <@U0DEPLOYER> with `/deploy rollback checkout`",
                        "goes back from `1.1.0`",
                        "No risk score, approval or canary",
                        "Reverting",
                        "registry.example/checkout:1.0.0")
                .doesNotContain("Risk ", "Canary step", "Request received");
        var broadcast = thread.stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElseThrow();
        assertThat(broadcast.allText())
                .contains(
                        "Reverted checkout to 1.0.0 in production (from 1.1.0, deploy #",
                        "at the request of <@U0DEPLOYER>",
                        "automatic deploys of checkout are blocked until");
        assertThat(revert.allText()).contains("1.0.0 is live again: reverted from 1.1.0");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");
        assertThat(slack.message(CHANNEL, promoted.ts()).orElseThrow().allText())
                .as("the reverted deploy's own message is left as it ended")
                .contains("promoted");

        // the status shows the block, and what runs
        bot.requests.slashCommand(BOB, "/deploy", "status checkout");
        var status = EndToEndTest.await("the status", () -> ephemeralTo(BOB, "automatic deploys blocked"));
        assertThat(status.allText()).contains("*checkout* `1.0.0` → production: promoted", "revert of 1.1.0");

        // a second rollback does not revert the revert
        bot.requests.slashCommand(BOB, "/deploy", "rollback checkout");
        var refusal = EndToEndTest.await("the second rollback's answer", () -> ephemeralTo(BOB, "revert already"));
        assertThat(refusal.allText()).contains("/deploy checkout &lt;version&gt;");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");

        assertThat(bot.scrape())
                .containsPattern("harbormaster_rollbacks_total\\{service=\"checkout\",trigger=\"revert\"\\} 1");
        for (var m : slack.allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    String stableImage() {
        return bot.cluster.workloads(target("checkout")).get(Track.STABLE).image();
    }

    Optional<SlackStandIn.Message> parent(String titleStart) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(titleStart))
                .findFirst();
    }

    SlackStandIn.Message ephemeralTo(SlackRequests.Origin who, String containing) {
        return slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(who.userId())))
                .filter(m -> m.allText().contains(containing))
                .findFirst()
                .orElse(null);
    }

    void announce(String service, String version) throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s","ci_status":"success","auto_deploy":false,"requested_by":"ci-bot",
                 "change":%s}""".formatted(service, version, service, version, version, EndToEndTest.SMALL_CHANGE);
        var response = http.send(bot.deployRequest(body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
    }
}

package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Slack is told about a lock: a reason of any length (a lock set before reasons were capped) quoted so that what
 * follows it stays. The real pipeline, desk, front end and notifier against the Slack stand-in; the test moves the
 * clock and the pipeline.
 */
class LockMessagesTest {
    static final SlackRequests.Origin DEV = new SlackRequests.Origin("U0DEV", "dev", CHANNEL, "deploys");

    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    SlackBot bot;

    @BeforeEach
    void start() {
        db = SlackBot.database("lockmessages");
        f = new PipelineFixture(db); // checkout depends on payments; anyone may lock
        slack = SlackBot.slack(new SlackStandIn.User("U0DEV", "dev", "Dev Requester"));
        bot = new SlackBot(f, slack, "engine-a");
    }

    @AfterEach
    void stop() {
        bot.close();
        slack.close();
        db.close();
    }

    @Test
    void aStoredLockReasonOverTheCapIsQuotedShortenedSoWhatFollowsItStaysAndAsTypedText() {
        // a lock from before reasons were capped: 3,400 characters, one of them a broadcast as typed
        var reason = "<!channel> migrating the orders table " + "x".repeat(3400 - 38);
        f.policies.lock(new ServiceLock("checkout", reason, "U0OPS", f.clock.instant()));

        // a deploy typed in Slack is refused, saying how to lift the lock
        f.announce("checkout", "1.4.1", PipelineFixture.SMALL_CHANGE);
        bot.requests.slashCommand(DEV, "/deploy", "checkout 1.4.1");
        var refused = await("the refusal", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.text().contains("is locked by"))
                .findFirst()
                .orElse(null));
        assertThat(refused.allText())
                .contains("lifts the lock with `/deploy unlock checkout`")
                .contains("more characters)")
                .contains("&lt;!channel&gt; migrating the orders table")
                .doesNotContain("<!channel>");
        assertThat(BlockKitLimits.violations(refused.blocksJson())).isEmpty();

        // /deploy status names it, and how to lift it
        bot.requests.slashCommand(DEV, "/deploy", "status checkout");
        var status = await("the status", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.allText().contains("Held back"))
                .findFirst()
                .orElse(null));
        assertThat(status.allText()).contains("more characters) (`/deploy unlock checkout` lifts it)");

        // CI's deploy reaches its preflight, which is blocked: the thread says so, and how to unblock it
        f.announce("checkout", "1.5.0", PipelineFixture.SMALL_CHANGE);
        long ci = PipelineFixture.acceptedId(
                bot.engine, PipelineFixture.request("kafka:ci-1.5.0", RequestSource.KAFKA, "checkout", "1.5.0", "ci"));
        assertThat(f.runUntilDone(bot.engine, ci, Duration.ofMinutes(5)).state())
                .isEqualTo(DeployState.FAILED);
        var stopped = await("the thread's preflight and failure", () -> {
            var replies = replies("checkout 1.5.0");
            return replies.stream().anyMatch(m -> m.text().startsWith(":x: *The deploy stopped*")) ? replies : null;
        });
        var preflight = stopped.stream()
                .filter(m -> m.text().equals("Preflight blocked the deploy"))
                .findFirst()
                .orElseThrow();
        assertThat(preflight.allText())
                .contains("more characters) (to unblock: /deploy unlock checkout once the reason is resolved)")
                .doesNotContain("<!channel>");
        var failed = stopped.stream()
                .filter(m -> m.text().startsWith(":x: *The deploy stopped*"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.allText()).contains("more characters) (/deploy unlock checkout once the reason is resolved)");
        for (var m : stopped) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A small change of {@code service} deployed by Dev from Slack; its id, once its parent message is posted. */
    long deployed(String service, String version) {
        f.announce(service, version, PipelineFixture.SMALL_CHANGE);
        bot.requests.slashCommand(DEV, "/deploy", service + " " + version);
        long id = await(service + " " + version, () -> f.deploys.inFlight().stream()
                        .filter(d -> d.service().equals(service) && d.version().equals(version))
                        .map(Deploy::id)
                        .findFirst()
                        .orElse(null))
                .longValue();
        await("its parent message", () -> parent(service + " " + version).orElse(null));
        return id;
    }

    /** Moves the clock and the deploy on until it is in {@code state}. */
    void advanceUntil(long id, DeployState state) {
        for (int i = 0; i < 120 && f.deploys.find(id).orElseThrow().state() != state; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            bot.engine.advance(id);
        }
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(state);
    }

    Optional<SlackStandIn.Message> parent(String title) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(title))
                .findFirst();
    }

    List<SlackStandIn.Message> replies(String title) {
        return parent(title).map(p -> slack.replies(CHANNEL, p.ts())).orElse(List.of());
    }
}

package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Slack is told about a lock: what it does to the deploys of the service in flight when it is taken, and a
 * reason of any length (a lock set before reasons were capped) quoted so that what follows it stays. The real
 * pipeline, desk, front end and notifier against the Slack stand-in; the test moves the clock and the pipeline.
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
    void aLockTakenWhileACanaryRunsSaysTheCanaryGoesOnAndAQueuedDeployStopsAtItsPreflight() {
        long running = bot.deployed(DEV, "checkout", "1.4.1");
        bot.advanceUntil(running, "deploy #" + running, DeployState.CANARY);
        long queued = bot.deployed(DEV, "checkout", "1.5.0");
        bot.engine.advance(queued); // waits for 1.4.1's canary

        bot.requests.slashCommand(DEV, "/deploy", "lock checkout schema migration in progress");

        var said = await("the lock's answer", () -> slack.messages(CHANNEL).stream()
                        .filter(m -> m.text().startsWith(":lock: checkout is locked"))
                        .findFirst()
                        .orElse(null))
                .text();
        assertThat(said)
                .contains("No new deploy of checkout starts until `/deploy unlock checkout`.")
                .contains("Deploy #" + running + " (`1.4.1`, canary) goes on: the lock does not stop a running"
                        + " canary, which the analysis still promotes or rolls back. To stop it, `/deploy rollback"
                        + " checkout`.")
                .contains("Deploy #" + queued + " (`1.5.0`, preflight) is stopped by its preflight: the lock was"
                        + " taken before its checks passed.");

        // and so it goes: the canary runs to its end under the lock, the queued deploy is stopped at its preflight
        assertThat(f.runUntilDone(bot.engine, running, Duration.ofHours(2)).state())
                .isEqualTo(DeployState.PROMOTED);
        var stopped = bot.engine.advance(queued).orElseThrow();
        assertThat(stopped.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(queued).getLast().reason()).contains("no lock: locked by U0DEV");
    }

    @Test
    void mentionsTypedInALockReasonAreEchoedAsTextAndStoredAsTyped() {
        var typed = "db move <@U0OPS> <!channel> <!here> <!subteam^S0DBA|dba> @channel @here & co";
        bot.requests.slashCommand(DEV, "/deploy", "lock checkout " + typed);

        var said = await("the lock's answer", () -> slack.messages(CHANNEL).stream()
                        .filter(m -> m.text().startsWith(":lock: checkout is locked"))
                        .findFirst()
                        .orElse(null))
                .allText();
        // Slack's control characters escaped (&, <, >): no mention, broadcast or group ping; a bare @channel is text
        // already, as the bot posts without link_names
        assertThat(said)
                .contains("db move &lt;@U0OPS&gt; &lt;!channel&gt; &lt;!here&gt; &lt;!subteam^S0DBA|dba&gt; @channel"
                        + " @here &amp; co")
                .doesNotContain("<@U0OPS>", "<!channel>", "<!here>", "<!subteam");
        assertThat(f.policies.lockOf("checkout").orElseThrow().reason()).isEqualTo(typed);
    }

    @Test
    void aLockTakenWhileADeploysPreflightPassesDoesNotSayThePreflightStopsIt() {
        // the lock is taken while 1.4.1's preflight runs, after its checks passed and it claimed the rollout (as it
        // reads the stable Deployment to start its canary): its canary starts under the lock, and the lock's answer,
        // which saw the claim, says so and nothing else
        var answer = lockWhenPreflightCalls("stable", "checkout");
        long id = bot.deployed(DEV, "checkout", "1.4.1");

        bot.advanceUntil(id, "deploy #" + id, DeployState.CANARY);

        assertThat(answer.get())
                .contains("Deploy #" + id + " (`1.4.1`, preflight) goes on: its checks passed before the lock was"
                        + " taken, and its canary starts (to stop it, `/deploy rollback checkout`).")
                .doesNotContain("stopped by its preflight", "will be stopped", "unless");
        assertThat(f.policies.lockOf("checkout")).isPresent();
    }

    @Test
    void aLockTakenAfterADeploysChecksReadTheLocksStopsItAndItsAnswerSaysSo() {
        // the lock is taken while 1.4.1's preflight runs, after its checks read the locks (none) and before they are
        // done (it reads what its dependency payments runs): its preflight stops it all the same, with the lock's
        // usual reason, and the lock's answer says it is stopped
        var answer = lockWhenPreflightCalls("inspect", "payments");
        long id = bot.deployed(DEV, "checkout", "1.4.1");

        bot.advanceUntil(id, "deploy #" + id, DeployState.FAILED);

        assertThat(f.deploys.transitions(id).getLast().reason())
                .contains("no lock: locked by U0DEV")
                .contains("schema migration in progress")
                .contains("/deploy unlock checkout once the reason is resolved");
        assertThat(f.deploys.transitions(id)).noneMatch(t -> t.to() == DeployState.CANARY);
        assertThat(f.cluster.inspect(f.target("checkout")).stable().image())
                .isEqualTo("registry.example/checkout:1.0.0");
        assertThat(answer.get())
                .contains("Deploy #" + id + " (`1.4.1`, preflight) is stopped by its preflight: the lock was taken"
                        + " before its checks passed.")
                .doesNotContain("goes on", "canary starts");
    }

    /**
     * Takes {@code /deploy lock checkout} through Slack, and waits for its answer, the first time the engine's
     * preflight calls {@code method} of the cluster for {@code service} (a bot made anew, whose cluster calls are
     * watched from the deploy's preflight on: the request's own reads come before). Returns the answer, once given.
     */
    private java.util.concurrent.atomic.AtomicReference<String> lockWhenPreflightCalls(String method, String service) {
        var answer = new java.util.concurrent.atomic.AtomicReference<String>();
        var armed = new java.util.concurrent.atomic.AtomicBoolean();
        bot.close();
        f.clusterPort = PipelineFixture.around(f.cluster, (called, args) -> {
            if (called.equals(method)
                    && args[0] instanceof io.harbormaster.engine.rollout.RolloutTarget t
                    && t.deployment().equals(service)
                    && calledFromPreflight()
                    && armed.compareAndSet(false, true)) {
                bot.requests.slashCommand(DEV, "/deploy", "lock checkout schema migration in progress");
                answer.set(await("the lock's answer", () -> slack.messages(CHANNEL).stream()
                                .filter(m -> m.text().startsWith(":lock: checkout is locked"))
                                .findFirst()
                                .orElse(null))
                        .text());
            }
        });
        bot = new SlackBot(f, slack, "engine-a");
        return answer;
    }

    /** Whether the engine's preflight is on the calling thread's stack. */
    private static boolean calledFromPreflight() {
        return StackWalker.getInstance()
                .walk(frames -> frames.anyMatch(
                        fr -> fr.getClassName().equals(io.harbormaster.engine.rollout.DeployPipeline.class.getName())
                                && fr.getMethodName().equals("preflight")));
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
        // in the blocks, which is what Slack shows (the notification text holds more)
        assertThat(refused.blocksJson())
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
        assertThat(status.blocksJson()).contains("more characters) (`/deploy unlock checkout` lifts it)");

        // CI's deploy reaches its preflight, which is blocked: the thread says so, and how to unblock it
        f.announce("checkout", "1.5.0", PipelineFixture.SMALL_CHANGE);
        long ci = PipelineFixture.acceptedId(
                bot.engine, PipelineFixture.request("kafka:ci-1.5.0", RequestSource.KAFKA, "checkout", "1.5.0", "ci"));
        assertThat(f.runUntilDone(bot.engine, ci, Duration.ofMinutes(5)).state())
                .isEqualTo(DeployState.FAILED);
        var stopped = await("the thread's preflight and failure", () -> {
            var replies = bot.replies("checkout 1.5.0");
            return replies.stream().anyMatch(m -> m.text().startsWith(":x: *The deploy stopped*")) ? replies : null;
        });
        var preflight = stopped.stream()
                .filter(m -> m.text().equals("Preflight blocked the deploy"))
                .findFirst()
                .orElseThrow();
        assertThat(preflight.blocksJson())
                .contains("more characters) (to unblock: /deploy unlock checkout once the reason is resolved)")
                .doesNotContain("<!channel>");
        var failed = stopped.stream()
                .filter(m -> m.text().startsWith(":x: *The deploy stopped*"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.blocksJson())
                .contains("more characters) (/deploy unlock checkout once the reason is resolved)");
        for (var m : stopped) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }
}

package io.harbormaster.bot.slack;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.http.HttpServer;
import io.harbormaster.bot.http.ReadinessCheck;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/** The whole Slack front end on loopback: stand-in Web API, Bolt on the HTTP server, a fake desk, a signer. */
final class SlackFixture implements AutoCloseable {
    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    static final String CHANNEL = "C0DEPLOYS";
    static final SlackRequests.Origin ALICE = new SlackRequests.Origin("U0REQUESTER", "alice", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0APPROVER", "bob", CHANNEL, "deploys");
    static final SlackRequests.Origin MALLORY = new SlackRequests.Origin("U0MALLORY", "mallory", CHANNEL, "deploys");

    final SlackStandIn slack;
    final FakeDeployDesk desk = new FakeDeployDesk();
    final BotMetrics metrics = new BotMetrics();
    final AtomicBoolean databaseUp = new AtomicBoolean(true);
    final SlackFrontEnd frontEnd;
    final HttpServer server;
    final SlackRequests requests;

    SlackFixture() {
        slack = SlackStandIn.start(
                BOT_TOKEN,
                List.of(
                        new SlackStandIn.User("U0REQUESTER", "alice", "Alice Requester"),
                        new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"),
                        new SlackStandIn.User("U0MALLORY", "mallory", "Mallory")),
                List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
        frontEnd = new SlackFrontEnd(
                new SlackSettings(SIGNING_SECRET, BOT_TOKEN, Optional.of(slack.methodsUrlPrefix())),
                desk,
                new DenyingAuditDesk(),
                new DeployCommandParser(TestCatalog.catalog(), Set.of("production", "staging")),
                metrics,
                Clock.systemUTC(),
                new SlackWebApi.Settings(Duration.ofMillis(50), 2, Duration.ofSeconds(2)));
        server = new HttpServer(frontEnd.app(), List.of(ReadinessCheck.of("database", databaseUp::get)), metrics)
                .start("127.0.0.1", 0);
        requests = new SlackRequests(URI.create(base() + "/slack/events"), SIGNING_SECRET, Clock.systemUTC());
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Waits up to 5 s for {@code condition}. */
    static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(5), condition);
    }

    @Override
    public void close() {
        server.close();
        frontEnd.close(Duration.ofSeconds(2));
        slack.close();
    }

    /** An audit desk for people who are not auditors. */
    static final class DenyingAuditDesk implements AuditDesk {
        @Override
        public AuditOutcome query(io.harbormaster.engine.audit.AuditQuery query, SlackUser who, String typed) {
            return new AuditOutcome.Refused("`/audit` is for the auditor group only.");
        }

        @Override
        public AuditOutcome verify(SlackUser who) {
            return new AuditOutcome.Refused("`/audit` is for the auditor group only.");
        }
    }
}

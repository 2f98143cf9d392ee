package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.pipeline.CrossReplicaRace.Answer;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Replica;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Storage;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Submission;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, audit log and connection pool, over one database, are asked for the same
 * version of a service at the same moment: {@code /deploy checkout 1.4.1} typed on one and CI announcing it on the
 * other, or a Slack retry that reached the other replica. One deploy starts; the other request is answered with it.
 */
class CrossReplicaIntakeTest {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout: {namespace: shop, approvers: shop-approvers}
            """;
    static final int ROUNDS = 30;

    @TempDir
    Path dir;

    /**
     * Each request's first look at the store (the deploys of the service in flight, or the intake, whichever the
     * pipeline asks for first) waits for the other request's, on the other replica, in a held round: both then reach
     * the store before either has stored anything.
     */
    final CrossReplicaRace replicas = new CrossReplicaRace(
            CONFIG,
            (method, args) ->
                    method.equals("intake") || (method.equals("inFlight") && args != null && args.length == 1));

    /** Both requests released at once, one on each replica; {@code held}: made to reach the store together. */
    List<Submission> race(boolean held, Replica a, DeployRequest onA, Replica b, DeployRequest onB) throws Exception {
        return replicas.race(held, () -> a.engine.submit(onA), () -> b.engine.submit(onB)).stream()
                .map(Answer::orThrow)
                .toList();
    }

    static long requestedAudits(Replica r, long deployId) {
        return r.f.audited(deployId, "deploy.requested").size();
    }

    static long acceptedNotices(Replica a, Replica b, String version) {
        return CrossReplicaRace.notices(a, b)
                .filter(n -> n instanceof DeployNotice.Accepted acc
                        && acc.deploy().version().equals(version))
                .count();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void theSameVersionAskedForOnTwoReplicasAtOnceStartsOneDeployAndTheOtherRequestIsGivenIt(Storage storage)
            throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            for (int i = 0; i < ROUNDS; i++) {
                var version = "1.4." + i;
                a.f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
                // typed on one replica while CI asks for it on the other; every third round, one Slack request whose
                // retry reached the other replica (the same idempotency key)
                boolean retry = i % 3 == 2;
                var onA = PipelineFixture.slackRequest("slack:" + version, "checkout", version, "U0DEV");
                var onB = retry
                        ? onA
                        : PipelineFixture.request(
                                "kafka:ci-" + version, RequestSource.KAFKA, "checkout", version, "ci");
                boolean held = i % 2 == 0;
                var answers = race(held, a, onA, b, onB);
                var what =
                        "round " + i + (retry ? " (a retry)" : "") + (held ? ", held together" : "") + ": " + answers;

                assertThat(answers).as(what).allMatch(s -> s instanceof Submission.Accepted);
                var accepted =
                        answers.stream().map(s -> (Submission.Accepted) s).toList();
                assertThat(accepted).as(what).filteredOn(s -> !s.duplicate()).hasSize(1);
                assertThat(accepted)
                        .as(what)
                        .filteredOn(Submission.Accepted::duplicate)
                        .hasSize(1);
                long id = accepted.getFirst().deploy().id();
                assertThat(accepted.getLast().deploy().id())
                        .as(what + ": both are answered with the one deploy")
                        .isEqualTo(id);
                assertThat(a.f.deploys.inFlight("checkout"))
                        .as(what)
                        .filteredOn(d -> d.version().equals(version))
                        .hasSize(1);
                assertThat(requestedAudits(a, id)).as(what).isEqualTo(1);
                assertThat(acceptedNotices(a, b, version)).as(what).isEqualTo(1);
            }
            // each version asked for is a deploy of its own, queued behind the ones before
            assertThat(b.f.deploys.inFlight("checkout")).hasSize(ROUNDS);
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }
}

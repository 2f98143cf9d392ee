package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.pipeline.CrossReplicaRace.Replica;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Storage;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.DeployRequestHandler.Outcome;
import io.harbormaster.engine.intake.ParseResult;
import io.harbormaster.engine.intake.PipelineIntake;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Submission;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CI announces a build again (its status once it passed) on one replica while a deploy of that version is asked for on
 * the other, over one database. The later announcement replaces the stored one only while no deploy of the version is
 * in flight, looked for in the same step as the replacement: a deploy in flight keeps, and its {@code
 * deploy.requested} entry names, the announcement it is scored and decided on, whichever of the two came first.
 */
class CrossReplicaAnnouncementTest {
    static final int ROUNDS = 12;

    @TempDir
    Path dir;

    final CrossReplicaRace replicas = new CrossReplicaRace(CrossReplicaIntakeTest.CONFIG, (method, args) -> false);

    /**
     * One round's hold: the deploy is asked for once the announcement has begun to look at the store, and, in a held
     * round, the announcement's replacement waits until the deploy has been stored (or a second has passed): the
     * deploy is stored between the announcement's look for deploys in flight and its replacement, if they are two
     * steps.
     */
    static final class Round {
        final boolean held;
        final CountDownLatch looking = new CountDownLatch(1);
        final CountDownLatch stored = new CountDownLatch(1);

        Round(boolean held) {
            this.held = held;
        }
    }

    final AtomicReference<Round> round = new AtomicReference<>();

    /** {@code store} as the announcing replica's intake sees it: a look at what is in flight starts the deploy. */
    DeployStore looking(DeployStore store) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    var r = round.get();
                    if (r != null && method.getName().equals("inFlight")) {
                        r.looking.countDown();
                    }
                    return call(store, method, args);
                });
    }

    /** {@code builds} as the announcing replica's intake sees them: the replacement waits for the deploy. */
    BuildCatalog replacing(BuildCatalog builds) {
        return (BuildCatalog) Proxy.newProxyInstance(
                BuildCatalog.class.getClassLoader(), new Class<?>[] {BuildCatalog.class}, (proxy, method, args) -> {
                    var r = round.get();
                    if (r != null && method.getName().equals("replace")) {
                        r.looking.countDown();
                        if (r.held) {
                            r.stored.await(1, TimeUnit.SECONDS);
                        }
                    }
                    return call(builds, method, args);
                });
    }

    private static Object call(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** CI's announcement of checkout {@code version} as {@link PipelineFixture#announce} stores it, as another build. */
    static CiDeployRequest passed(String version, String buildId) {
        var parsed = CiDeployRequest.parse("""
                {"service":"checkout","version":"%s","image":"registry.example/checkout:%s",
                 "commit_sha":"abc1234","build_id":"%s","ci_status":"success","auto_deploy":false,
                 "change":%s}""".formatted(version, version, buildId, PipelineFixture.MIGRATION));
        return ((ParseResult.Parsed) parsed).request();
    }

    /** Ends whatever of checkout is still in flight, so that the next round starts from nothing in flight. */
    static void endRound(Replica r) {
        for (var d : r.f.deploys.inFlight("checkout")) {
            r.f.deploys.transition(
                    d.id(), d.revision(), DeployState.FAILED, d.step(), "test", "end of round", r.f.clock.instant());
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aDeployInFlightKeepsTheAnnouncementItsRequestNamesWhenALaterOneArrivesOnAnotherReplicaAtOnce(Storage storage)
            throws Exception {
        var url = storage.url(dir);
        try (Replica a = replicas.open(url, "engine-a");
                Replica b = replicas.open(url, "engine-b")) {
            var intake = new PipelineIntake(
                    replacing(a.f.builds), looking(a.f.deploys), a.engine, RequestSource.HTTP, a.f.clock);
            int kept = 0;
            for (int i = 0; i < ROUNDS; i++) {
                var version = "2." + i + ".0";
                a.f.announce("checkout", version, PipelineFixture.SMALL_CHANGE); // stored as build ci-<version>
                var r = new Round(i % 2 == 0);
                round.set(r);
                var later = passed(version, "ci-" + version + "-passed");
                Outcome announced;
                Submission asked;
                try (var pool = Executors.newSingleThreadExecutor()) {
                    var onB = pool.submit(() -> {
                        r.looking.await(5, TimeUnit.SECONDS);
                        try {
                            return b.engine.submit(
                                    PipelineFixture.slackRequest("slack:" + version, "checkout", version, "U0DEV"));
                        } finally {
                            r.stored.countDown();
                        }
                    });
                    announced = intake.handle(later, "ci:" + version + ":passed");
                    asked = onB.get(30, TimeUnit.SECONDS);
                } finally {
                    round.set(null);
                }
                var what = "round " + i + (r.held ? " (held)" : "") + ": " + announced + ", " + asked;

                assertThat(asked).as(what).isInstanceOf(Submission.Accepted.class);
                Deploy deploy = ((Submission.Accepted) asked).deploy();
                var stored = a.f.builds.find("checkout", version).orElseThrow();
                AuditRecord requested =
                        a.f.audited(deploy.id(), "deploy.requested").getFirst();
                // the announcement the deploy was taken with is the one stored while it is in flight
                assertThat(requested.reasoningJson())
                        .as(what)
                        .contains("\"build\":\"" + stored.buildId() + "\"", "\"ci_status\":\"" + stored.ciStatus());
                if (stored.buildId().equals("ci-" + version)) {
                    kept++;
                    // not applied, and the answer says for which deploy
                    assertThat(announced.warnings())
                            .as(what)
                            .singleElement()
                            .asString()
                            .contains("deploy #" + deploy.id() + " of checkout " + version + " is in flight");
                } else {
                    assertThat(stored.buildId()).as(what).isEqualTo("ci-" + version + "-passed");
                    assertThat(announced.warnings()).as(what).isEmpty();
                }
                endRound(a);
            }
            assertThat(kept).as("every held round stores the deploy first").isGreaterThanOrEqualTo(ROUNDS / 2);
        }
    }
}

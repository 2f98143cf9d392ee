package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.Decision;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A double click reaches the engine as two decisions at once: one is counted, the other is told it came before. */
class ConcurrentApprovalTest {
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:approval-race" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /**
     * The store, except that the first look at a deploy's approvals from each of two threads waits (up to a second)
     * for the other thread's: both then see the approvals as they were before either click, as two clicks processed
     * at the same moment would.
     */
    private DeployStore lookingAtTheSameMoment() {
        var arrived = new CountDownLatch(2);
        var looked = ThreadLocal.withInitial(() -> false);
        return (DeployStore) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("approvals") && !looked.get()) {
                        looked.set(true);
                        arrived.countDown();
                        arrived.await(1, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(f.deploys, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void twoClicksOfOneApproverAtOnceCountOnceAreAuditedOnceAndNeitherFails() throws Exception {
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var engine = f.engine(PipelineSettings.defaults("engine-a"), lookingAtTheSameMoment());
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:race", "checkout", "1.3.0", "U0BOB"));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        var outcomes = new ArrayList<Object>();
        try (var clicks = Executors.newFixedThreadPool(2)) {
            var first = clicks.submit(() -> engine.decide(id, "U0ANN", Approval.Decision.APPROVE, ""));
            var second = clicks.submit(() -> engine.decide(id, "U0ANN", Approval.Decision.APPROVE, ""));
            for (var click : List.of(first, second)) {
                try {
                    outcomes.add(click.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
        }

        assertThat(outcomes).hasOnlyElementsOfTypes(Decision.Counted.class, Decision.AlreadyDecided.class);
        assertThat(outcomes).filteredOn(o -> o instanceof Decision.Counted).hasSize(1);
        // one approval is all this service needs, and it settled the deploy: the second click is told that its first
        // decision stands (not that the deploy is no longer waiting, nor that it is refused)
        assertThat(outcomes)
                .filteredOn(o -> o instanceof Decision.AlreadyDecided)
                .singleElement()
                .extracting(o -> ((Decision.AlreadyDecided) o).first().approver())
                .isEqualTo("U0ANN");
        var counted = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
            if (e.record().action().equals("approval.counted")) {
                counted.add(e.record().actor());
            }
        });
        assertThat(counted).containsExactly("U0ANN");
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.ApprovalCounted)
                .hasSize(1);
        assertThat(f.deploys.approvals(id))
                .singleElement()
                .extracting(Approval::approver)
                .isEqualTo("U0ANN");
    }
}

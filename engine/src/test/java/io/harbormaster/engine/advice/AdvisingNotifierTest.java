package io.harbormaster.engine.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.RuleOutcome;
import io.harbormaster.engine.risk.Threshold;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.IncidentStore;
import io.harbormaster.engine.rollout.RollbackCause;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The pipeline's notices go on at once; advice follows on its own, audited, whatever the model does. */
class AdvisingNotifierTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final Deploy DEPLOY = new Deploy(
            5,
            5,
            "orders",
            "1.2.0",
            "production",
            DeployState.AWAITING_APPROVAL,
            0,
            OptionalDouble.of(70),
            Optional.of(true),
            false,
            T0,
            T0,
            2);
    static final RiskAssessment RISK = new RiskAssessment(
            "orders",
            "1.2.0",
            70,
            new Threshold(0.11, 40, 0, 0.1),
            new RiskDecision.Escalate(List.of("risk over threshold")),
            List.of(),
            0,
            List.of(RuleOutcome.pass("schema-migration")),
            List.of(),
            List.of(),
            new io.harbormaster.engine.risk.RiskModelId(
                    "0".repeat(64), "in memory", "test", java.util.Optional.empty()));

    final List<DeployNotice> told = new CopyOnWriteArrayList<>();
    final List<AuditRecord> audited = new CopyOnWriteArrayList<>();

    @Test
    void aModelThatDoesNotAnswerHoldsUpNoNoticeAndItsAdviceIsAuditedBeforeItIsTold() throws Exception {
        var release = new CountDownLatch(1);
        var writer = new SummaryWriter() {
            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public String model() {
                return "slow-model";
            }

            @Override
            public Written write(Prompt prompt) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Written.Answer("Orders changes [F1].", "slow-model", Duration.ofMillis(5));
            }
        };
        try (var advising = notifier(writer)) {
            var escalated =
                    new DeployNotice.Escalated(DEPLOY, RISK, "ops", 1, T0.plusSeconds(60), List.of(), List.of());
            advising.notify(escalated);
            advising.notify(new DeployNotice.Expired(DEPLOY));
            // Both notices went on while the model is still thinking.
            assertThat(told).containsExactly(escalated, new DeployNotice.Expired(DEPLOY));

            release.countDown();
            var advised = awaitAdvice();
            assertThat(advised.advice().source()).isEqualTo(Advice.Source.MODEL);
            assertThat(advised.advice().summary()).isEqualTo("Orders changes [F1].");
            assertThat(audited).singleElement().satisfies(r -> {
                assertThat(r.action()).isEqualTo("advice.context_package");
                assertThat(r.actor()).isEqualTo("advisor");
                assertThat(r.decision()).isEqualTo("model");
                assertThat(r.reasoningJson()).contains("\"prompt_sha256\"", "\"slow-model\"");
            });
        }
    }

    @Test
    void aRollbackGetsAHypothesisStoredOnTheIncidentAndTheCasesAreRemembered() throws Exception {
        var remembered = new CopyOnWriteArrayList<PastCase>();
        var hypotheses = new CopyOnWriteArrayList<String>();
        try (var advising = notifier(SummaryWriter.NONE, remembered::add, hypotheses::add)) {
            var incident = new Incident(
                    9,
                    OptionalLong.of(5),
                    "orders",
                    "1.2.0",
                    T0,
                    "p99",
                    "p99: slow",
                    "",
                    Optional.empty(),
                    Optional.empty());
            var rolledBack = new DeployNotice.RolledBack(
                    new Deploy(
                            5,
                            5,
                            "orders",
                            "1.2.0",
                            "production",
                            DeployState.ROLLED_BACK,
                            1,
                            OptionalDouble.empty(),
                            Optional.of(false),
                            false,
                            T0,
                            T0,
                            9),
                    new RollbackCause.Analysis(),
                    "p99: slow",
                    List.of(),
                    incident,
                    T0.plusSeconds(3600));
            advising.notify(rolledBack);
            var advised = awaitAdvice();
            assertThat(advised.advice().kind()).isEqualTo(AdviceKind.INCIDENT_HYPOTHESIS);
            assertThat(hypotheses).singleElement().asString().contains("p99 tripped", "Check first:");
            awaitUntil(() -> remembered.size() == 2);
            assertThat(remembered)
                    .extracting(PastCase::ref, PastCase::outcome)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("incident #9", "unresolved"),
                            org.assertj.core.groups.Tuple.tuple("deploy #5", "rolled_back"));
        }
    }

    /** {@link #DEPLOY} ended in {@code state} at canary step {@code step} (0: it never reached its canary). */
    static Deploy ended(long id, DeployState state, int step) {
        return new Deploy(
                id,
                id,
                "orders",
                "1.2." + id,
                "production",
                state,
                step,
                OptionalDouble.empty(),
                Optional.of(false),
                false,
                T0,
                T0,
                9);
    }

    static DeployNotice.RolledBack rolledBack(Deploy d, RollbackCause cause, String metric) {
        var incident = new Incident(
                d.id() + 100,
                OptionalLong.of(d.id()),
                "orders",
                d.version(),
                T0,
                metric,
                "why",
                "",
                Optional.empty(),
                Optional.empty());
        return new DeployNotice.RolledBack(d, cause, "why", List.of(), incident, T0.plusSeconds(3600));
    }

    @Test
    void onlyDeploysWhoseChangeWentWrongAreRememberedAsSuchNotOnesThatNeverRanOrThatAPersonStopped() {
        var remembered = new CopyOnWriteArrayList<PastCase>();
        var advising = notifier(SummaryWriter.NONE, remembered::add, h -> {});
        advising.notify(new DeployNotice.Failed(ended(1, DeployState.FAILED, 0), "blocked by preflight: no lock"));
        advising.notify(new DeployNotice.Failed(ended(2, DeployState.FAILED, 0), "stopped by U1"));
        advising.notify(
                new DeployNotice.Failed(ended(3, DeployState.FAILED, 2), "cluster: rolling it back was refused"));
        advising.notify(rolledBack(
                ended(4, DeployState.ROLLED_BACK, 1), new RollbackCause.Requested("U1"), Incident.STOPPED_BY_HAND));
        advising.notify(
                rolledBack(ended(5, DeployState.ROLLED_BACK, 1), new RollbackCause.ClusterRefused(), "cluster"));
        advising.notify(rolledBack(ended(6, DeployState.ROLLED_BACK, 2), new RollbackCause.Analysis(), "error_rate"));
        advising.notify(rolledBack(ended(7, DeployState.ROLLED_BACK, 1), new RollbackCause.NotReady(), "canary"));
        advising.notify(new DeployNotice.Promoted(ended(8, DeployState.PROMOTED, 3), List.of()));
        advising.close(); // waits for the advice in hand

        assertThat(remembered)
                .filteredOn(c -> c.kind() == PastCase.Kind.DEPLOY)
                .extracting(PastCase::ref, PastCase::outcome)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("deploy #3", PastCase.FAILED_IN_CLUSTER),
                        org.assertj.core.groups.Tuple.tuple("deploy #6", PastCase.ROLLED_BACK),
                        org.assertj.core.groups.Tuple.tuple("deploy #7", PastCase.ROLLED_BACK),
                        org.assertj.core.groups.Tuple.tuple("deploy #8", PastCase.PROMOTED));
        // every rollback's incident is remembered, a person's and the cluster's included
        assertThat(remembered)
                .filteredOn(c -> c.kind() == PastCase.Kind.INCIDENT)
                .extracting(PastCase::ref)
                .containsExactlyInAnyOrder("incident #104", "incident #105", "incident #106", "incident #107");
    }

    AdvisingNotifier notifier(SummaryWriter writer) {
        return notifier(writer, c -> {}, h -> {});
    }

    AdvisingNotifier notifier(SummaryWriter writer, Consumer<PastCase> remember, Consumer<String> hypothesize) {
        var memory = new SimilarCases() {
            @Override
            public void remember(PastCase pastCase) {
                remember.accept(pastCase);
            }

            @Override
            public List<SimilarCase> similar(String text, java.util.function.Predicate<PastCase> accept, int limit) {
                return List.of();
            }
        };
        var builds = new BuildCatalog() {
            @Override
            public AnnouncedBuild announce(AnnouncedBuild build) {
                return build;
            }

            @Override
            public Replacement replace(AnnouncedBuild build) {
                return new Replacement.NoSuchBuild();
            }

            @Override
            public Optional<AnnouncedBuild> find(String service, String version) {
                return Optional.of(new AnnouncedBuild(
                        service, version, "img", "abc1234", "b1", "success", "{\"files\":[\"api/Orders.java\"]}", T0));
            }
        };
        var incidents = new IncidentStore() {
            @Override
            public Incident open(
                    OptionalLong deployId,
                    String service,
                    String version,
                    String metric,
                    String summary,
                    String hypothesis,
                    Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<Incident> resolve(
                    long incidentId, String resolution, Instant at, Runnable beforeResolving) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<Incident> find(long incidentId) {
                return Optional.empty();
            }

            @Override
            public List<Incident> unresolved(String service) {
                return List.of();
            }

            @Override
            public Incident hypothesize(long incidentId, String hypothesis) {
                hypothesize.accept(hypothesis);
                return new Incident(
                        incidentId,
                        OptionalLong.of(5),
                        "orders",
                        "1.2.0",
                        T0,
                        "p99",
                        "p99: slow",
                        hypothesis,
                        Optional.empty(),
                        Optional.empty());
            }

            @Override
            public List<Incident> recent(String service, Instant since) {
                return List.of();
            }
        };
        return new AdvisingNotifier(
                told::add,
                new Advisor(memory, writer, Duration.ofSeconds(30)),
                builds,
                incidents,
                new RecordingAudit(),
                Clock.fixed(T0, ZoneOffset.UTC),
                "test-engine",
                () -> "test-policy",
                service -> List.of());
    }

    DeployNotice.Advised awaitAdvice() throws InterruptedException {
        awaitUntil(() -> told.stream().anyMatch(DeployNotice.Advised.class::isInstance));
        return told.stream()
                .filter(DeployNotice.Advised.class::isInstance)
                .map(DeployNotice.Advised.class::cast)
                .findFirst()
                .orElseThrow();
    }

    static void awaitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }

    final class RecordingAudit implements AuditLog {
        @Override
        public AuditEntry append(AuditRecord record) {
            audited.add(record.canonical());
            return null;
        }

        @Override
        public void scan(AuditQuery query, Consumer<AuditEntry> sink) {}

        @Override
        public AuditSummary summarize(AuditQuery query, int newest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.List<String> distinct(io.harbormaster.engine.audit.AuditField field, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkpoint() {}

        @Override
        public VerifyReport verify() {
            throw new UnsupportedOperationException();
        }
    }
}

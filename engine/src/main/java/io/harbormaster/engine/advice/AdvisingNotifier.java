package io.harbormaster.engine.advice;

import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.IncidentStore;
import io.harbormaster.engine.rollout.Notifier;
import io.harbormaster.engine.rollout.RollbackCause;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passes every notice on at once and, beside the pipeline, has the {@link Advisor} write advice for escalations and
 * rollbacks: a context package, or a hypothesis that is also stored on the incident. Each advice gets its own audit
 * entry (what the model was asked and answered, as hashes, with provider, model and latency) and is then told as a
 * {@link DeployNotice.Advised}. The work runs on a small bounded pool: a rollout never waits for advice, and when the
 * pool is full advice is skipped rather than queued without end. Ended deploys and incidents are remembered for later
 * similarity searches.
 */
public final class AdvisingNotifier implements Notifier, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AdvisingNotifier.class.getName());
    static final String ACTOR = "advisor";

    private final Notifier next;
    private final Advisor advisor;
    private final BuildCatalog builds;
    private final IncidentStore incidents;
    private final AuditLog audit;
    private final Clock clock;
    private final String engineVersion;
    private final java.util.function.Supplier<String> policyVersion;
    private final java.util.function.Function<String, List<String>> dependenciesOf;
    private final ThreadPoolExecutor pool;

    /**
     * @param policyVersion the policy version in force, asked at each audit entry (harbormaster.yml may be reloaded
     *     while the advisor runs)
     * @param dependenciesOf the services a service depends on, as the catalog says now: a hypothesis cites past
     *     incidents of the service and of these only
     */
    public AdvisingNotifier(
            Notifier next,
            Advisor advisor,
            BuildCatalog builds,
            IncidentStore incidents,
            AuditLog audit,
            Clock clock,
            String engineVersion,
            java.util.function.Supplier<String> policyVersion,
            java.util.function.Function<String, List<String>> dependenciesOf) {
        this.next = next;
        this.dependenciesOf = dependenciesOf;
        this.advisor = advisor;
        this.builds = builds;
        this.incidents = incidents;
        this.audit = audit;
        this.clock = clock;
        this.engineVersion = engineVersion;
        this.policyVersion = policyVersion;
        var n = new AtomicInteger();
        pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(200), r -> {
            var t = new Thread(r, "harbormaster-advisor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void notify(DeployNotice notice) {
        next.notify(notice); // first, and whatever follows: the pipeline's own notices are never held up
        switch (notice) {
            case DeployNotice.Escalated e -> submit(notice, () -> contextPackage(e));
            case DeployNotice.RolledBack r -> submit(notice, () -> rolledBack(r));
            case DeployNotice.Promoted p -> submit(notice, () -> remember(p.deploy(), PastCase.PROMOTED));
            // only a failure while its canary ran says something of the change: one blocked in preflight, stopped
            // before the cluster or refused never ran, and is not remembered as a deploy that went wrong
            case DeployNotice.Failed f
            when f.deploy().step() > 0 -> submit(notice, () -> remember(f.deploy(), PastCase.FAILED_IN_CLUSTER));
            default -> {}
        }
    }

    private void submit(DeployNotice notice, Runnable task) {
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "Advice for deploy " + notice.deploy().id() + " failed: " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Advisor busy: no advice for deploy " + notice.deploy().id() + " ("
                            + notice.getClass().getSimpleName() + ")");
        }
    }

    private void contextPackage(DeployNotice.Escalated e) {
        var advice = advisor.contextPackage(
                e, builds.find(e.deploy().service(), e.deploy().version()));
        record(e.deploy(), advice);
        next.notify(new DeployNotice.Advised(e.deploy(), advice));
    }

    private void rolledBack(DeployNotice.RolledBack r) {
        var d = r.deploy();
        var build = builds.find(d.service(), d.version());
        var advice = advisor.hypothesis(r, build, dependenciesOf.apply(d.service()));
        var hypothesis = advice.summary() + "\nCheck first: " + advice.suggestedCheck();
        var incident = incidents.hypothesize(r.incident().id(), hypothesis);
        record(d, advice);
        next.notify(new DeployNotice.Advised(d, advice));
        advisor.rememberIncident(incident, build);
        // a person's stop, or the cluster's refusal, tells nothing of the change: the incident is remembered, the
        // deploy is not remembered as one that went wrong
        if (r.cause() instanceof RollbackCause.Analysis || r.cause() instanceof RollbackCause.NotReady) {
            advisor.rememberDeploy(d, PastCase.ROLLED_BACK, build, d.updatedAt());
        }
    }

    private void remember(Deploy d, String outcome) {
        advisor.rememberDeploy(d, outcome, builds.find(d.service(), d.version()), d.updatedAt());
    }

    /** The advice's own audit entry: its facts, its source, and the model call as hashes. */
    private void record(Deploy d, Advice a) {
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("kind", a.kind().label());
        reasoning.put("source", a.source().label());
        a.incidentId().ifPresent(id -> reasoning.put("incident_id", id));
        a.fallbackReason().ifPresent(r -> reasoning.put("fallback_reason", r));
        reasoning.put("summary_sha256", io.harbormaster.engine.text.Texts.sha256(a.summary()));
        reasoning.put("suggested_check", a.suggestedCheck());
        reasoning.put(
                "facts",
                a.facts().stream()
                        .map(f -> Map.of("id", f.id(), "kind", f.kind(), "text", f.text()))
                        .toList());
        reasoning.put("cited", a.citedFacts().stream().map(Fact::id).toList());
        reasoning.put(
                "similar",
                a.similar().stream()
                        .map(s -> Map.of(
                                "ref", s.pastCase().ref(), "similarity", Math.round(s.similarity() * 1000) / 1000.0))
                        .toList());
        a.call().ifPresent(c -> {
            var call = new LinkedHashMap<String, Object>();
            call.put("provider", c.provider());
            call.put("model", c.model());
            call.put("prompt_sha256", c.promptSha256());
            c.answerSha256().ifPresent(h -> call.put("answer_sha256", h));
            call.put("latency_ms", c.latency().toMillis());
            c.detail().ifPresent(x -> call.put("problem", x));
            reasoning.put("model_call", call);
        });
        audit.append(new AuditRecord(
                clock.instant(),
                ACTOR,
                "advice." + a.kind().label(),
                Long.toString(d.id()),
                d.service(),
                d.version(),
                a.source().label(),
                CanonicalJson.of(reasoning),
                engineVersion,
                policyVersion.get()));
    }

    /** Waits up to {@code grace} for the advice in hand, then stops. */
    public void close(Duration grace) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}

package io.harbormaster.engine.adapters.kubernetes;

import static io.harbormaster.engine.adapters.kubernetes.MockKubernetes.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.harbormaster.engine.rollout.ClusterForbidden;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.Readiness;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutSnapshot;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.StableDeployment;
import io.harbormaster.engine.rollout.StableNotFound;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.engine.rollout.TrackDeployment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Fabric8ClusterTest {
    private static final String V1 = "registry.example.com/web:1.4.0";
    private static final String V2 = "registry.example.com/web:1.5.0";
    private static final RolloutTarget WEB = new RolloutTarget(NAMESPACE, "web", "web");
    private static final Duration READY_WITHIN = Duration.ofSeconds(5);

    private MockKubernetes k8s;
    private Fabric8Cluster cluster;

    @BeforeEach
    void startCluster() {
        k8s = new MockKubernetes();
        cluster = k8s.newCluster();
    }

    @AfterEach
    void stopCluster() {
        k8s.close();
    }

    @AfterAll
    static void everyRecordedCallIsDeclared() {
        assertThat(RecordingApiCalls.RECORDED).isSubsetOf(Fabric8Cluster.API_CALLS);
    }

    private Readiness awaitReady() {
        return cluster.awaitReady(WEB, Instant.now().plus(READY_WITHIN));
    }

    /** Starts a canary the way the engine does at the first step. */
    private ReplicaPlan startCanary(String image, int weight) {
        StableDeployment stable = cluster.stable(WEB);
        ReplicaPlan plan = ReplicaPlan.forWeight(stable.fullReplicas(), weight);
        cluster.ensureBaseline(WEB, stable.image(), plan.baseline());
        cluster.ensureCanary(WEB, image, plan.canary());
        cluster.scale(WEB, plan);
        return plan;
    }

    private Deployment deployment(Track track) {
        return k8s.deployment(WEB.deploymentOf(track)).orElseThrow();
    }

    private static String image(Deployment deployment, String container) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(container))
                .map(Container::getImage)
                .findFirst()
                .orElseThrow();
    }

    private void assertPods(ReplicaPlan plan) {
        eventually(
                "pods of " + plan,
                () -> k8s.servicePods("web", Track.CANARY).size() == plan.canary()
                        && k8s.servicePods("web", Track.BASELINE).size() == plan.baseline()
                        && k8s.servicePods("web", Track.STABLE).size() == plan.stable());
    }

    private void eventually(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + READY_WITHIN + ": " + what + " (controller: "
                        + k8s.controller.lastFailure() + ")");
            }
            try {
                Thread.sleep(MockKubernetes.POLL.toMillis());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** What a second call must leave unchanged: spec, labels and annotations (status belongs to the controller). */
    private record Written(Object spec, Map<String, String> labels, Map<String, String> annotations, Long generation) {
        static Written of(Deployment d) {
            return new Written(
                    d.getSpec(),
                    d.getMetadata().getLabels(),
                    d.getMetadata().getAnnotations(),
                    d.getMetadata().getGeneration());
        }
    }

    private Map<Track, Written> written() {
        var result = new java.util.EnumMap<Track, Written>(Track.class);
        for (Track track : Track.values()) {
            k8s.deployment(WEB.deploymentOf(track)).ifPresent(d -> result.put(track, Written.of(d)));
        }
        return result;
    }

    @Test
    void derivesCanaryAndBaselineFromTheStableDeploymentWithTrackLabelsAndOwnSelectors() {
        k8s.createStable("web", "web", V1, 10);

        ReplicaPlan plan = startCanary(V2, 5);

        Deployment canary = deployment(Track.CANARY);
        Deployment baseline = deployment(Track.BASELINE);
        Deployment stable = deployment(Track.STABLE);
        assertThat(image(canary, "web")).isEqualTo(V2);
        assertThat(image(baseline, "web")).isEqualTo(V1);
        assertThat(image(stable, "web")).isEqualTo(V1);
        assertThat(image(canary, "log-shipper")).isEqualTo("registry.example.com/fluent-bit:3.0");
        assertThat(canary.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(1)
                        .getEnv())
                .isEqualTo(stable.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(1)
                        .getEnv());

        assertThat(canary.getMetadata().getLabels())
                .containsEntry("track", "canary")
                .containsEntry("team", "payments")
                .containsEntry("app.kubernetes.io/managed-by", "harbormaster");
        assertThat(canary.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "web", "track", "canary"));
        assertThat(canary.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app", "web")
                .containsEntry("track", "canary")
                .containsEntry("version", "stable-template");
        assertThat(baseline.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app", "web", "track", "baseline"));
        assertThat(baseline.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("track", "baseline");

        assertThat(stable.getMetadata().getLabels()).containsEntry("track", "stable");
        assertThat(stable.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "web"));
        assertThat(stable.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("track");

        assertThat(List.of(
                        canary.getSpec().getReplicas(),
                        baseline.getSpec().getReplicas(),
                        stable.getSpec().getReplicas()))
                .containsExactly(1, 1, 8);
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());
        assertPods(plan);
        assertThat(k8s.servicePods("web", Track.CANARY))
                .allSatisfy(pod -> assertThat(pod.getMetadata().getName()).startsWith("web-canary-"));
        assertThat(k8s.servicePods("web", Track.BASELINE))
                .allSatisfy(pod -> assertThat(pod.getMetadata().getName()).startsWith("web-baseline-"));
    }

    @Test
    void stepsTheCanaryThroughFiveTwentyFiveFiftyAndAHundredPercent() {
        k8s.createStable("web", "web", V1, 10);
        startCanary(V2, 5);

        for (int weight : new int[] {5, 25, 50, 100}) {
            ReplicaPlan plan = ReplicaPlan.forWeight(cluster.stable(WEB).fullReplicas(), weight);
            cluster.scale(WEB, plan);

            assertThat(awaitReady()).as("at %d%%", weight).isEqualTo(new Readiness.Ready());
            assertPods(plan);
            RolloutSnapshot now = cluster.inspect(WEB);
            assertThat(now.canary().orElseThrow().replicas()).isEqualTo(plan.canary());
            assertThat(now.baseline().orElseThrow().replicas()).isEqualTo(plan.baseline());
            assertThat(now.stable().replicas()).isEqualTo(plan.stable());
            assertThat(now.stable().fullReplicas()).isEqualTo(10);
        }
    }

    @Test
    void promotionGivesStableTheNewImageAndItsFullSizeAndRemovesCanaryAndBaseline() {
        k8s.createStable("web", "web", V1, 10);
        startCanary(V2, 25);
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());

        cluster.promote(WEB, V2);

        Deployment stable = deployment(Track.STABLE);
        assertThat(image(stable, "web")).isEqualTo(V2);
        assertThat(image(stable, "log-shipper")).isEqualTo("registry.example.com/fluent-bit:3.0");
        assertThat(stable.getSpec().getTemplate().getSpec().getContainers()).hasSize(2);
        assertThat(stable.getSpec().getReplicas()).isEqualTo(10);
        assertThat(stable.getMetadata().getAnnotations()).doesNotContainKey(Fabric8Cluster.FULL_REPLICAS);
        assertThat(k8s.deployment("web-canary")).isEmpty();
        assertThat(k8s.deployment("web-baseline")).isEmpty();
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());
        eventually("10 stable pods on " + V2 + " and no others", () -> {
            List<Pod> all = k8s.admin.pods().inNamespace(NAMESPACE).list().getItems();
            return all.size() == 10
                    && all.stream().allMatch(pod -> pod.getSpec()
                            .getContainers()
                            .get(1)
                            .getImage()
                            .equals(V2));
        });
        assertThat(cluster.inspect(WEB).inProgress()).isFalse();
    }

    @Test
    void rollbackRemovesCanaryAndBaselineAndGivesStableItsFullSizeWithItsImage() {
        k8s.createStable("web", "web", V1, 10);
        startCanary(V2, 50);

        cluster.rollback(WEB);

        Deployment stable = deployment(Track.STABLE);
        assertThat(image(stable, "web")).isEqualTo(V1);
        assertThat(stable.getSpec().getReplicas()).isEqualTo(10);
        assertThat(k8s.deployment("web-canary")).isEmpty();
        assertThat(k8s.deployment("web-baseline")).isEmpty();
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());
        eventually(
                "10 stable pods and no canary or baseline pod",
                () -> k8s.servicePods("web", Track.STABLE).size() == 10
                        && k8s.servicePods("web", Track.CANARY).isEmpty()
                        && k8s.servicePods("web", Track.BASELINE).isEmpty());
    }

    @Test
    void everyOperationCanBeRepeatedWithoutChangingAnythingTheSecondTime() {
        k8s.createStable("web", "web", V1, 10);
        StableDeployment stable = cluster.stable(WEB);
        ReplicaPlan plan = ReplicaPlan.forWeight(stable.fullReplicas(), 25);

        cluster.ensureBaseline(WEB, V1, plan.baseline());
        var afterFirst = written();
        cluster.ensureBaseline(WEB, V1, plan.baseline());
        assertThat(written()).isEqualTo(afterFirst);

        cluster.ensureCanary(WEB, V2, plan.canary());
        afterFirst = written();
        cluster.ensureCanary(WEB, V2, plan.canary());
        assertThat(written()).isEqualTo(afterFirst);

        cluster.scale(WEB, plan);
        afterFirst = written();
        cluster.scale(WEB, plan);
        assertThat(written()).isEqualTo(afterFirst);
        assertThat(cluster.stable(WEB).fullReplicas()).isEqualTo(10);

        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());

        RolloutSnapshot snapshot = cluster.inspect(WEB);
        assertThat(cluster.inspect(WEB)).isEqualTo(snapshot);

        cluster.promote(WEB, V2);
        afterFirst = written();
        cluster.promote(WEB, V2);
        assertThat(written()).isEqualTo(afterFirst).containsOnlyKeys(Track.STABLE);

        cluster.rollback(WEB);
        afterFirst = written();
        cluster.rollback(WEB);
        assertThat(written()).isEqualTo(afterFirst);
        assertThat(image(deployment(Track.STABLE), "web")).isEqualTo(V2);
    }

    @Test
    void ensureCanaryFollowsANewImageAndANewSizeOfAnExistingCanary() {
        k8s.createStable("web", "web", V1, 10);
        startCanary(V2, 5);

        cluster.ensureCanary(WEB, "registry.example.com/web:1.5.1", 2);

        Deployment canary = deployment(Track.CANARY);
        assertThat(image(canary, "web")).isEqualTo("registry.example.com/web:1.5.1");
        assertThat(canary.getSpec().getReplicas()).isEqualTo(2);
        assertThat(canary.getSpec().getSelector().getMatchLabels()).containsEntry("track", "canary");
        assertThat(awaitReady()).isEqualTo(new Readiness.Ready());
        eventually("two canary pods on 1.5.1", () -> {
            List<Pod> pods = k8s.servicePods("web", Track.CANARY);
            return pods.size() == 2
                    && pods.stream().allMatch(pod -> pod.getSpec()
                            .getContainers()
                            .get(1)
                            .getImage()
                            .equals("registry.example.com/web:1.5.1"));
        });
    }

    @Test
    void aRestartedEngineFindsTheCanaryItStartedAndCarriesOnToPromotion() {
        k8s.createStable("web", "web", V1, 10);
        startCanary(V2, 25);

        Fabric8Cluster restarted = k8s.newCluster(); // the engine crashed; a new process starts from the cluster
        RolloutSnapshot found = restarted.inspect(WEB);

        assertThat(found.inProgress()).isTrue();
        assertThat(found.canary())
                .contains(new TrackDeployment(
                        Track.CANARY, "web-canary", V2, 3, found.canary().get().readyReplicas()));
        assertThat(found.baseline().map(TrackDeployment::image)).contains(V1);
        assertThat(found.baseline().map(TrackDeployment::replicas)).contains(3);
        assertThat(found.stable().image()).isEqualTo(V1);
        assertThat(found.stable().replicas()).isEqualTo(4);
        assertThat(found.stable().fullReplicas()).isEqualTo(10);

        ReplicaPlan next = ReplicaPlan.forWeight(found.stable().fullReplicas(), 50);
        restarted.ensureBaseline(WEB, found.stable().image(), next.baseline());
        restarted.ensureCanary(WEB, found.canary().get().image(), next.canary());
        restarted.scale(WEB, next);
        assertThat(restarted.awaitReady(WEB, Instant.now().plus(READY_WITHIN))).isEqualTo(new Readiness.Ready());
        assertPods(next);
        restarted.promote(WEB, V2);

        assertThat(restarted.inspect(WEB).inProgress()).isFalse();
        assertThat(restarted.stable(WEB)).isEqualTo(new StableDeployment(WEB, V2, 10, 10, Map.of("app", "web")));
    }

    @Test
    void aRestartedEngineFindsAHalfStartedRolloutAndCanRollItBack() {
        k8s.createStable("web", "web", V1, 10);
        cluster.ensureBaseline(WEB, V1, 1); // crashed before the canary was created

        Fabric8Cluster restarted = k8s.newCluster();
        RolloutSnapshot found = restarted.inspect(WEB);

        assertThat(found.canary()).isEmpty();
        assertThat(found.baseline().map(TrackDeployment::image)).contains(V1);
        assertThat(found.inProgress()).isTrue();
        restarted.rollback(WEB);
        assertThat(restarted.inspect(WEB))
                .isEqualTo(new RolloutSnapshot(
                        new StableDeployment(WEB, V1, 10, 10, Map.of("app", "web")),
                        java.util.Optional.empty(),
                        java.util.Optional.empty()));
    }

    @Test
    void aCrashLoopingCanaryIsReportedNotReadyWithoutWaitingForTheDeadline() {
        k8s.createStable("web", "web", V1, 4);
        startCanary("registry.example.com/web:1.5.0-crashloop", 25);

        Instant start = Instant.now();
        Readiness readiness = cluster.awaitReady(WEB, start.plus(Duration.ofSeconds(20)));

        assertThat(readiness).isInstanceOf(Readiness.NotReady.class);
        assertThat(((Readiness.NotReady) readiness).reason())
                .contains("shop/web-canary")
                .contains("pod web-canary-")
                .contains("container web")
                .contains("CrashLoopBackOff");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aCanaryWhosePodsNeverGetScheduledTimesOutAtTheDeadline() {
        k8s.createStable("web", "web", V1, 4);
        startCanary("registry.example.com/web:1.5.0-pending", 25);

        Instant start = Instant.now();
        Readiness readiness = cluster.awaitReady(WEB, start.plus(Duration.ofMillis(400)));

        assertThat(readiness).isInstanceOf(Readiness.TimedOut.class);
        assertThat(((Readiness.TimedOut) readiness).waitingFor())
                .contains("shop/web-canary")
                .doesNotContain("web-baseline");
        Duration waited = Duration.between(start, Instant.now());
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void waitingEndsAfterTheDeadlinesWorthOfPollsEvenWhenTheClockStandsStill() {
        k8s.createStable("web", "web", V1, 4);
        startCanary("registry.example.com/web:1.5.0-pending", 25);
        Instant frozen = Instant.parse("2026-01-01T00:00:00Z");
        Fabric8Cluster frozenClock = new Fabric8Cluster(
                k8s.server.createClient(),
                java.time.Clock.fixed(frozen, java.time.ZoneOffset.UTC),
                Duration.ofMillis(50),
                target -> java.util.Optional.empty());

        Instant start = Instant.now();
        Readiness readiness = frozenClock.awaitReady(WEB, frozen.plus(Duration.ofMillis(200)));

        assertThat(readiness).isInstanceOf(Readiness.TimedOut.class);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aMissingStableDeploymentIsAnErrorThatNamesItAndWhatToCheck() {
        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(StableNotFound.class)
                .hasMessageContaining("no Deployment web in namespace shop")
                .hasMessageContaining("harbormaster.yml");
        assertThatThrownBy(() -> cluster.ensureCanary(WEB, V2, 1)).isInstanceOf(StableNotFound.class);
        assertThatThrownBy(() -> cluster.inspect(WEB)).isInstanceOf(StableNotFound.class);
        assertThat(k8s.deployment("web-canary")).isEmpty();
    }

    @Test
    void aMissingContainerIsAnErrorThatListsTheContainersThereAre() {
        k8s.createStable("web", "server", V1, 3);

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(StableNotFound.class)
                .hasMessageContaining("shop/web has no container 'web'")
                .hasMessageContaining("[log-shipper, server]");
    }

    @Test
    void aDeploymentHarbormasterDidNotCreateIsNeverChangedOrDeleted() {
        k8s.createStable("web", "web", V1, 10);
        Deployment foreign = new DeploymentBuilder(k8s.createStable("web-canary", "web", "someone/else:1", 1)).build();

        assertThatThrownBy(() -> cluster.ensureCanary(WEB, V2, 1))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("shop/web-canary exists but was not created by Harbormaster");
        assertThatThrownBy(() -> cluster.rollback(WEB)).isInstanceOf(ClusterRefused.class);
        assertThat(image(deployment(Track.CANARY), "web")).isEqualTo("someone/else:1");
        assertThat(deployment(Track.CANARY).getMetadata().getUid())
                .isEqualTo(foreign.getMetadata().getUid());
        assertThat(cluster.inspect(WEB).canary()).isEmpty();
    }

    @Test
    void scalingBeforeCanaryAndBaselineExistIsRefused() {
        k8s.createStable("web", "web", V1, 10);

        assertThatThrownBy(() -> cluster.scale(WEB, ReplicaPlan.forWeight(10, 25)))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("no canary Deployment shop/web-canary");
    }

    @Test
    void aCanaryCreatedAtTheSameTimeByAnotherReplicaIsReadAgainAndConverged() {
        k8s.createStable("web", "web", V1, 10);
        k8s.server
                .expect()
                .post()
                .withPath("/apis/apps/v1/namespaces/shop/deployments")
                .andReturn(
                        409,
                        new io.fabric8.kubernetes.api.model.StatusBuilder()
                                .withCode(409)
                                .withReason("AlreadyExists")
                                .withMessage("deployments.apps \"web-canary\" already exists")
                                .build())
                .once();

        cluster.ensureCanary(WEB, V2, 1);

        assertThat(image(deployment(Track.CANARY), "web")).isEqualTo(V2);
    }

    @Test
    void aForbiddenRequestSaysWhichVerbOnWhichResourceTheRoleLacks() {
        k8s.server
                .expect()
                .get()
                .withPath("/apis/apps/v1/namespaces/shop/deployments/web")
                .andReturn(
                        403,
                        new io.fabric8.kubernetes.api.model.StatusBuilder()
                                .withCode(403)
                                .withReason("Forbidden")
                                .withMessage("deployments.apps \"web\" is forbidden: User"
                                        + " \"system:serviceaccount:harbormaster:bot\" cannot get resource"
                                        + " \"deployments\" in API group \"apps\" in the namespace \"shop\"")
                                .build())
                .always();

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOfSatisfying(ClusterForbidden.class, e -> {
                    assertThat(List.of(e.verb(), e.group(), e.resource(), e.namespace()))
                            .containsExactly("get", "apps", "deployments", "shop");
                })
                .hasMessageContaining("verb 'get' on resource 'deployments' of apiGroup 'apps'");
    }

    @Test
    void aWholeRolloutUsesExactlyTheDeclaredApiCalls() {
        k8s.createStable("web", "web", V1, 10);
        startCanary("registry.example.com/web:1.5.0-crashloop", 5);
        assertThat(awaitReady()).isInstanceOf(Readiness.NotReady.class); // reads pods to say why
        cluster.rollback(WEB);
        startCanary(V2, 5);
        cluster.ensureCanary(WEB, V2, 2);
        cluster.inspect(WEB);
        assertThat(cluster.trafficDivided(WEB)).isFalse();
        cluster.promote(WEB, V2);

        // by replica ratio: no route and no Service is read or written
        assertThat(k8s.recording.calls()).isEqualTo(new java.util.TreeSet<>(Fabric8Cluster.DEPLOYMENT_CALLS));
    }
}

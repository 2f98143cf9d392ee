package io.harbormaster.engine.adapters.kubernetes;

import static io.harbormaster.engine.adapters.kubernetes.MockKubernetes.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantToBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrantBuilder;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.rollout.ClusterForbidden;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.Readiness;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.StableDeployment;
import io.harbormaster.engine.rollout.TrafficSplit;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary whose traffic is divided by a Gateway API HTTPRoute's weights, on Fabric8's mock API server: the route's
 * backends and the track Services at every step, after promotion and rollback, on repeated calls, and the errors.
 */
class GatewayApiRolloutTest {
    private static final String V1 = "registry.example.com/web:1.4.0";
    private static final String V2 = "registry.example.com/web:1.5.0";
    private static final RolloutTarget WEB = new RolloutTarget(NAMESPACE, "web", "web");
    private static final GatewayRoute ROUTE = new GatewayRoute(NAMESPACE, "storefront", "web");
    private static final Function<RolloutTarget, Optional<GatewayRoute>> ROUTES =
            target -> target.equals(WEB) ? Optional.of(ROUTE) : Optional.empty();
    private static final Duration READY_WITHIN = Duration.ofSeconds(5);

    private MockKubernetes k8s;
    private Fabric8Cluster cluster;

    @BeforeEach
    void startCluster() {
        k8s = new MockKubernetes();
        cluster = k8s.newCluster(ROUTES);
    }

    @AfterEach
    void stopCluster() {
        k8s.close();
    }

    @AfterAll
    static void everyRecordedCallIsDeclared() {
        assertThat(RecordingApiCalls.RECORDED).isSubsetOf(Fabric8Cluster.API_CALLS);
    }

    // --- what a team has before its first canary by weights ---

    /** The stable Deployment, its pods labelled track=stable, and a Service selecting only them. */
    private void stableWithService(int replicas) {
        k8s.createStable("web", "web", V1, replicas, Map.of("track", "stable"));
        createService("web", Map.of("app", "web", "track", "stable"));
    }

    private void createService(String name, Map<String, String> selector) {
        k8s.admin
                .services()
                .inNamespace(NAMESPACE)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(NAMESPACE)
                        .addToLabels("app.kubernetes.io/instance", "storefront")
                        .endMetadata()
                        .withNewSpec()
                        .withType("LoadBalancer")
                        .withSelector(selector)
                        .addNewPort()
                        .withName("http")
                        .withProtocol("TCP")
                        .withPort(80)
                        .withTargetPort(new IntOrString(8080))
                        .withNodePort(30080)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
    }

    private static HTTPBackendRef ref(String service, Integer weight) {
        return new HTTPBackendRefBuilder()
                .withName(service)
                .withPort(80)
                .withWeight(weight)
                .build();
    }

    private static HTTPRouteRule rule(HTTPBackendRef... refs) {
        return new HTTPRouteRuleBuilder().withBackendRefs(refs).build();
    }

    /** The route: rule 0 and rule 2 send to web (rule 2 with an explicit weight), rule 1 to another service. */
    private void createRoute(HTTPRouteRule... rules) {
        k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .resource(new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName("storefront")
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("public")
                        .endParentRef()
                        .withRules(rules)
                        .endSpec()
                        .build())
                .create();
    }

    private void createStorefrontRoute() {
        createRoute(rule(ref("web", null)), rule(ref("static", null)), rule(ref("web", 1)));
    }

    private HTTPRoute route() {
        return k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("storefront")
                .get();
    }

    /** Each rule's backends, in order, with their weights (an absent weight shown as null). */
    private List<Map<String, Integer>> weights() {
        return route().getSpec().getRules().stream()
                .map(rule -> {
                    Map<String, Integer> out = new LinkedHashMap<>();
                    rule.getBackendRefs().forEach(r -> out.put(r.getName(), r.getWeight()));
                    return out;
                })
                .toList();
    }

    private static Map<String, Integer> split(int stable, int canary, int baseline) {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("web", stable);
        out.put("web-canary", canary);
        out.put("web-baseline", baseline);
        return out;
    }

    private static Map<String, Integer> only(String service, Integer weight) {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(service, weight);
        return out;
    }

    private Optional<Service> service(String name) {
        return Optional.ofNullable(
                k8s.admin.services().inNamespace(NAMESPACE).withName(name).get());
    }

    private ReplicaPlan startCanary(int weight) {
        StableDeployment stable = cluster.stable(WEB);
        ReplicaPlan plan = stable.planFor(weight);
        cluster.ensureBaseline(WEB, stable.image(), plan.baseline());
        cluster.ensureCanary(WEB, V2, plan.canary());
        cluster.scale(WEB, plan);
        return plan;
    }

    /** The engine's tick at a step: the tracks kept at the step's size, and scaled (which routes) again. */
    private void tick(ReplicaPlan plan) {
        cluster.ensureBaseline(WEB, V1, plan.baseline());
        cluster.ensureCanary(WEB, V2, plan.canary());
        cluster.scale(WEB, plan);
    }

    private void awaitReady() {
        assertThat(cluster.awaitReady(WEB, Instant.now().plus(READY_WITHIN))).isEqualTo(new Readiness.Ready());
    }

    /** What a repeated call must leave as it is: the route and both track Services, by resource version. */
    private List<String> versions() {
        return List.of(
                route().getMetadata().getResourceVersion(),
                service("web-canary")
                        .map(s -> s.getMetadata().getResourceVersion())
                        .orElse("-"),
                service("web-baseline")
                        .map(s -> s.getMetadata().getResourceVersion())
                        .orElse("-"));
    }

    // --- the walk ---

    @Test
    void walksACanaryThroughFiveTwentyFiveAndFiftyPercentByTheRoutesWeightsAndPromotesIt() {
        stableWithService(10);
        createStorefrontRoute();

        StableDeployment before = cluster.stable(WEB);
        assertThat(before.traffic()).isEqualTo(TrafficSplit.ROUTE_WEIGHTS);

        // 5%: created now, no pod ready yet, so the route gives them nothing (their Services exist already)
        k8s.controller.pause();
        ReplicaPlan five = startCanary(5);
        assertThat(five).isEqualTo(new ReplicaPlan(5, 1, 1, 10, TrafficSplit.ROUTE_WEIGHTS));
        assertThat(weights()).containsExactly(split(100, 0, 0), only("static", null), split(100, 0, 0));
        Service canary = service("web-canary").orElseThrow();
        assertThat(canary.getSpec().getSelector()).isEqualTo(Map.of("app", "web", "track", "canary"));
        assertThat(canary.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(canary.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(List.of(p.getName(), p.getProtocol(), p.getPort(), p.getTargetPort()))
                    .containsExactly("http", "TCP", 80, new IntOrString(8080));
            assertThat(p.getNodePort()).isNull();
        });
        assertThat(canary.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "harbormaster")
                .doesNotContainKey("app.kubernetes.io/instance");
        assertThat(service("web-baseline").orElseThrow().getSpec().getSelector())
                .isEqualTo(Map.of("app", "web", "track", "baseline"));
        assertThat(route().getSpec().getRules().get(0).getBackendRefs())
                .extracting(HTTPBackendRef::getPort)
                .containsOnly(80);

        k8s.controller.resume();
        awaitReady();
        tick(five);
        assertThat(weights()).containsExactly(split(90, 5, 5), only("static", null), split(90, 5, 5));
        // the stable Deployment keeps its size: the route, not the pods, sets the shares
        assertThat(k8s.deployment("web").orElseThrow().getSpec().getReplicas()).isEqualTo(10);

        var atFive = versions();
        tick(five);
        assertThat(versions()).as("a repeated tick writes nothing").isEqualTo(atFive);

        // 25%: the canary grows from 1 pod to 3; the route keeps 5% until they are ready
        ReplicaPlan twentyFive = cluster.stable(WEB).planFor(25);
        assertThat(twentyFive).isEqualTo(new ReplicaPlan(25, 3, 3, 10, TrafficSplit.ROUTE_WEIGHTS));
        k8s.controller.pause();
        tick(twentyFive);
        assertThat(weights()).containsExactly(split(90, 5, 5), only("static", null), split(90, 5, 5));
        k8s.controller.resume();
        awaitReady();
        tick(twentyFive);
        assertThat(weights()).containsExactly(split(50, 25, 25), only("static", null), split(50, 25, 25));

        ReplicaPlan fifty = cluster.stable(WEB).planFor(50);
        tick(fifty);
        awaitReady();
        tick(fifty);
        assertThat(weights()).containsExactly(split(0, 50, 50), only("static", null), split(0, 50, 50));
        assertThat(k8s.deployment("web-canary").orElseThrow().getSpec().getReplicas())
                .isEqualTo(5);

        cluster.promote(WEB, V2);

        assertThat(weights()).containsExactly(only("web", 100), only("static", null), only("web", 100));
        assertThat(service("web-canary")).isEmpty();
        assertThat(service("web-baseline")).isEmpty();
        assertThat(k8s.deployment("web").orElseThrow().getMetadata().getAnnotations())
                .doesNotContainKeys(
                        Fabric8Cluster.HTTP_ROUTE, Fabric8Cluster.ROUTE_SERVICE, Fabric8Cluster.FULL_REPLICAS);
        var promoted = versions();
        cluster.promote(WEB, V2);
        assertThat(versions()).as("a repeated promotion writes nothing").isEqualTo(promoted);
        assertThat(service("web")).isPresent(); // the team's own Service is never touched

        // all but the ReferenceGrants, read for a route in another namespace only
        assertThat(k8s.recording.calls())
                .containsAll(Fabric8Cluster.GATEWAY_API_CALLS.stream()
                        .filter(c -> !c.resource().equals("referencegrants"))
                        .toList())
                .doesNotContain(new ApiCall("list", "gateway.networking.k8s.io", "referencegrants"))
                .isSubsetOf(new TreeSet<>(Fabric8Cluster.API_CALLS));
    }

    @Test
    void aRollbackSendsEverythingToTheStableServiceAgainAndRemovesTheTrackServicesTwiceOver() {
        stableWithService(10);
        createStorefrontRoute();
        ReplicaPlan plan = startCanary(25);
        awaitReady();
        tick(plan);
        assertThat(weights()).containsExactly(split(50, 25, 25), only("static", null), split(50, 25, 25));

        cluster.rollback(WEB);

        assertThat(weights()).containsExactly(only("web", 100), only("static", null), only("web", 100));
        assertThat(service("web-canary")).isEmpty();
        assertThat(service("web-baseline")).isEmpty();
        assertThat(k8s.deployment("web-canary")).isEmpty();
        assertThat(k8s.deployment("web").orElseThrow().getSpec().getReplicas()).isEqualTo(10);
        var rolledBack = versions();
        cluster.rollback(WEB);
        assertThat(versions()).as("a repeated rollback writes nothing").isEqualTo(rolledBack);
    }

    @Test
    void aRolloutKeepsTheRouteItStartedWithWhenTheConfigurationChangesUnderIt() {
        stableWithService(10);
        createStorefrontRoute();
        ReplicaPlan plan = startCanary(5);
        awaitReady();
        tick(plan);
        assertThat(weights().getFirst()).isEqualTo(split(90, 5, 5));

        // restarted with the route taken out of harbormaster.yml in the meantime
        Fabric8Cluster restarted = k8s.newCluster(target -> Optional.empty());
        assertThat(restarted.stable(WEB).traffic()).isEqualTo(TrafficSplit.ROUTE_WEIGHTS);
        assertThat(restarted.inspect(WEB).inProgress()).isTrue();
        restarted.rollback(WEB);

        assertThat(weights()).containsExactly(only("web", 100), only("static", null), only("web", 100));
        assertThat(service("web-canary")).isEmpty();
        // the next canary goes by the configuration of its time
        assertThat(restarted.stable(WEB).traffic()).isEqualTo(TrafficSplit.REPLICA_RATIO);
    }

    @Test
    void aServiceWithFewReplicasGetsTheExactFivePercentStep() {
        stableWithService(3);
        createRoute(rule(ref("web", null)));

        ReplicaPlan plan = startCanary(5);
        awaitReady();
        tick(plan);

        assertThat(plan.trafficInWords()).isEqualTo("5% of traffic");
        assertThat(weights()).containsExactly(split(90, 5, 5));
        assertThat(List.of(
                        k8s.deployment("web-canary").orElseThrow().getSpec().getReplicas(),
                        k8s.deployment("web-baseline").orElseThrow().getSpec().getReplicas(),
                        k8s.deployment("web").orElseThrow().getSpec().getReplicas()))
                .containsExactly(1, 1, 3);
    }

    @Test
    void aCanaryWithoutAReadyPodGetsNoWeightAndLosesTheWeightItHadWhenItsPodsAllStop() {
        stableWithService(10);
        createRoute(rule(ref("web", null)));
        ReplicaPlan plan = startCanary(25);
        awaitReady();
        tick(plan);
        assertThat(weights()).containsExactly(split(50, 25, 25));

        // a new image whose pods never get ready replaces the canary's: no request may go to a Service without pods
        cluster.ensureCanary(WEB, "registry.example.com/web:1.5.0-crashloop", plan.canary());
        k8s.controller.reconcile();
        cluster.scale(WEB, plan);

        assertThat(weights()).containsExactly(split(100, 0, 0));
    }

    @Test
    void aPlanByReplicaRatioIsRefusedForARolloutByRouteWeights() {
        stableWithService(10);
        createRoute(rule(ref("web", null)));
        startCanary(5);

        assertThatThrownBy(() -> cluster.scale(WEB, ReplicaPlan.forWeight(10, 25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replica_ratio");
    }

    // --- what is refused, before anything is created ---

    private void assertNothingCreated() {
        assertThat(k8s.deployment("web-canary")).isEmpty();
        assertThat(k8s.deployment("web-baseline")).isEmpty();
        assertThat(service("web-canary")).isEmpty();
        assertThat(service("web-baseline")).isEmpty();
    }

    @Test
    void aMissingRouteIsRefusedWithItsNameAndWhatToCheck() {
        stableWithService(10);

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("no HTTPRoute shop/storefront")
                .hasMessageContaining("traffic.gateway_api")
                .hasMessageContaining("CRDs");
        assertNothingCreated();
    }

    @Test
    void whatExistsIsReadWhateverTheRouteSoARevertOrADependencysCheckIsNotRefusedForIt() {
        // the route is configured but not there (or not ready for canaries yet): only a canary needs it
        stableWithService(10);
        assertThatThrownBy(() -> cluster.stable(WEB)).isInstanceOf(ClusterRefused.class);

        var there = cluster.inspect(WEB);

        assertThat(there.stable().image()).isEqualTo(V1);
        assertThat(there.stable().fullReplicas()).isEqualTo(10);
        assertThat(there.inProgress()).isFalse();
        // and a revert's promotion, which never divides traffic, goes through without it
        cluster.promote(WEB, V2);
        assertThat(cluster.inspect(WEB).stable().image()).isEqualTo(V2);
    }

    @Test
    void aRouteWithoutARuleForTheStableServiceIsRefusedNamingWhereItSends() {
        stableWithService(10);
        createRoute(rule(ref("static", null)), rule(ref("checkout", null)));

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("HTTPRoute shop/storefront has no rule that sends to Service web")
                .hasMessageContaining("Service shop/static, Service shop/checkout");
    }

    @Test
    void aRuleThatAlsoSendsToAnotherBackendIsRefusedRatherThanChanged() {
        stableWithService(10);
        createRoute(rule(ref("web", 90), ref("web-legacy", 10)));

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("Rule 0 of HTTPRoute shop/storefront sends to Service shop/web-legacy")
                .hasMessageContaining("a rule of its own");
        assertThat(weights()).containsExactly(Map.of("web", 90, "web-legacy", 10));
    }

    @Test
    void aStableServiceThatAlsoSelectsTheCanaryPodsIsRefusedWithTheLabelToAdd() {
        k8s.createStable("web", "web", V1, 10);
        createService("web", Map.of("app", "web"));
        createRoute(rule(ref("web", null)));

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("would also select the canary's and the baseline's pods")
                .hasMessageContaining("add the label track: stable to the pod template of Deployment shop/web");
    }

    @Test
    void aMissingStableServiceIsRefused() {
        k8s.createStable("web", "web", V1, 10, Map.of("track", "stable"));
        createRoute(rule(ref("web", null)));

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("no Service web in namespace shop")
                .hasMessageContaining("traffic.gateway_api.service");
    }

    @Test
    void aStableServiceWithoutASelectorOrWithoutPortsIsRefused() {
        k8s.createStable("web", "web", V1, 10, Map.of("track", "stable"));
        createRoute(rule(ref("web", null)));
        var noSelector = k8s.admin
                .services()
                .inNamespace(NAMESPACE)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create();

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("Service shop/web has no selector");

        k8s.admin.resource(noSelector).delete();
        k8s.admin
                .services()
                .inNamespace(NAMESPACE)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .withNewSpec()
                        .withClusterIP("None")
                        .withSelector(Map.of("app", "web", "track", "stable"))
                        .endSpec()
                        .build())
                .create();
        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("Service shop/web has no ports");
        assertNothingCreated();
    }

    @Test
    void aServiceNotCreatedByHarbormasterUnderTheCanarysNameIsNeitherChangedNorDeleted() {
        stableWithService(10);
        createRoute(rule(ref("web", null)));
        createService("web-canary", Map.of("app", "someone-else"));

        StableDeployment stable = cluster.stable(WEB);
        ReplicaPlan plan = stable.planFor(5);
        cluster.ensureBaseline(WEB, V1, plan.baseline());
        cluster.ensureCanary(WEB, V2, plan.canary());
        assertThatThrownBy(() -> cluster.scale(WEB, plan))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("Service shop/web-canary exists but was not created by Harbormaster");
        assertThat(weights()).containsExactly(only("web", null));

        cluster.rollback(WEB);
        assertThat(service("web-canary").orElseThrow().getSpec().getSelector())
                .isEqualTo(Map.of("app", "someone-else"));
    }

    @Test
    void aForbiddenPatchOfTheRouteSaysWhichRightTheRoleLacks() {
        stableWithService(10);
        createRoute(rule(ref("web", null)));
        k8s.server
                .expect()
                .patch()
                .withPath("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/storefront")
                .andReturn(
                        403,
                        new StatusBuilder()
                                .withCode(403)
                                .withReason("Forbidden")
                                .withMessage("httproutes.gateway.networking.k8s.io \"storefront\" is forbidden")
                                .build())
                .always();

        assertThatThrownBy(() -> startCanary(5))
                .isInstanceOfSatisfying(ClusterForbidden.class, e -> assertThat(
                                Arrays.asList(e.verb(), e.group(), e.resource(), e.namespace()))
                        .containsExactly("patch", "gateway.networking.k8s.io", "httproutes", "shop"))
                .hasMessageContaining("verb 'patch' on resource 'httproutes' of apiGroup 'gateway.networking.k8s.io'");
    }

    // --- a route in another namespace ---

    private static final GatewayRoute SHARED = new GatewayRoute("gateways", "public", "web");

    /** The shared route gateways/public, whose one rule sends to Service shop/web. */
    private void createSharedRoute() {
        k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace("gateways")
                .resource(new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName("public")
                        .withNamespace("gateways")
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("public")
                        .endParentRef()
                        .withRules(rule(new HTTPBackendRefBuilder()
                                .withName("web")
                                .withNamespace(NAMESPACE)
                                .withPort(80)
                                .build()))
                        .endSpec()
                        .build())
                .create();
    }

    private HTTPRoute sharedRoute() {
        return k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace("gateways")
                .withName("public")
                .get();
    }

    /**
     * A ReferenceGrant in the services' namespace letting HTTPRoutes of {@code fromNamespace} refer to the Services
     * named (none: to every Service).
     */
    private void grant(String name, String fromNamespace, String... services) {
        var to = services.length == 0
                ? List.of(new ReferenceGrantToBuilder()
                        .withGroup("")
                        .withKind("Service")
                        .build())
                : Arrays.stream(services)
                        .map(s -> new ReferenceGrantToBuilder()
                                .withGroup("")
                                .withKind("Service")
                                .withName(s)
                                .build())
                        .toList();
        k8s.admin
                .resources(ReferenceGrant.class)
                .inNamespace(NAMESPACE)
                .resource(new ReferenceGrantBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .addNewFrom()
                        .withGroup("gateway.networking.k8s.io")
                        .withKind("HTTPRoute")
                        .withNamespace(fromNamespace)
                        .endFrom()
                        .withTo(to)
                        .endSpec()
                        .build())
                .create();
    }

    @Test
    void aRouteInAnotherNamespaceIsDividedWithBackendsInTheServicesNamespace() {
        stableWithService(10);
        Fabric8Cluster elsewhere = k8s.newCluster(target -> Optional.of(SHARED));
        createSharedRoute();
        grant("routes-from-gateways", "gateways");

        ReplicaPlan plan = elsewhere.stable(WEB).planFor(5);
        elsewhere.ensureBaseline(WEB, V1, plan.baseline());
        elsewhere.ensureCanary(WEB, V2, plan.canary());
        assertThat(elsewhere.awaitReady(WEB, Instant.now().plus(READY_WITHIN))).isEqualTo(new Readiness.Ready());
        elsewhere.scale(WEB, plan);

        var refs = sharedRoute().getSpec().getRules().getFirst().getBackendRefs();
        assertThat(refs)
                .extracting(HTTPBackendRef::getName, HTTPBackendRef::getNamespace, HTTPBackendRef::getWeight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("web", NAMESPACE, 90),
                        org.assertj.core.groups.Tuple.tuple("web-canary", NAMESPACE, 5),
                        org.assertj.core.groups.Tuple.tuple("web-baseline", NAMESPACE, 5));
        assertThat(service("web-canary")).isPresent();
        assertThat(k8s.recording.calls()).contains(new ApiCall("list", "gateway.networking.k8s.io", "referencegrants"));
    }

    @Test
    void aRouteInAnotherNamespaceIsRefusedBeforeAnyPodUnlessReferenceGrantsLetItSendToTheTrackServicesToo() {
        stableWithService(10);
        Fabric8Cluster elsewhere = k8s.newCluster(target -> Optional.of(SHARED));
        createSharedRoute();

        assertThatThrownBy(() -> elsewhere.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("HTTPRoute gateways/public is in another namespace than Service shop/web")
                .hasMessageContaining("no ReferenceGrant in namespace shop lets HTTPRoutes of namespace gateways"
                        + " refer to Services web, web-canary, web-baseline")
                .hasMessageContaining("create a ReferenceGrant in namespace shop with from [{group:"
                        + " gateway.networking.k8s.io, kind: HTTPRoute, namespace: gateways}] and to [{group: \"\","
                        + " kind: Service}]");

        // what lets the route send to the stable Service only (the route worked before canaries), or lets routes of
        // another namespace send anywhere, is not enough
        grant("stable-only", "gateways", "web");
        grant("routes-from-elsewhere", "other-gateways");
        assertThatThrownBy(() -> elsewhere.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining(
                        "refer to Services web-canary, web-baseline, so the gateway would not send to" + " them");
        assertNothingCreated();

        // grants add up: another one naming the track Services is enough
        grant("tracks", "gateways", "web-canary", "web-baseline");
        assertThat(elsewhere.stable(WEB).traffic()).isEqualTo(TrafficSplit.ROUTE_WEIGHTS);
    }

    @Test
    void aClusterWithoutReferenceGrantsIsRefusedForARouteInAnotherNamespaceSayingWhatToInstall() {
        stableWithService(10);
        Fabric8Cluster elsewhere = k8s.newCluster(target -> Optional.of(SHARED));
        createSharedRoute();
        k8s.server
                .expect()
                .get()
                .withPath("/apis/gateway.networking.k8s.io/v1beta1/namespaces/shop/referencegrants")
                .andReturn(
                        404,
                        new StatusBuilder()
                                .withCode(404)
                                .withReason("NotFound")
                                .withMessage("the server could not find the requested resource")
                                .build())
                .always();

        assertThatThrownBy(() -> elsewhere.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("The cluster has no ReferenceGrants (gateway.networking.k8s.io/v1beta1)")
                .hasMessageContaining("install the Gateway API's standard CRDs")
                .hasMessageContaining("traffic.gateway_api.namespace");
        assertNothingCreated();
    }

    // --- what the gateway says of the route ---

    /**
     * Writes the route's status as its gateway's controller would: for parent {@code parent}, Accepted, and
     * ResolvedRefs {@code resolved} with {@code reason}, both observed at {@code generation}.
     */
    private void gatewayReports(
            String namespace, String name, String parent, boolean resolved, String reason, long generation) {
        var resource = k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        resource.setStatus(new HTTPRouteStatusBuilder()
                .addNewParent()
                .withControllerName("example.net/gateway")
                .withNewParentRef()
                .withName(parent)
                .endParentRef()
                .addToConditions(new ConditionBuilder()
                        .withType("Accepted")
                        .withStatus("True")
                        .withReason("Accepted")
                        .withMessage("")
                        .withObservedGeneration(generation)
                        .withLastTransitionTime("2025-01-01T00:00:00Z")
                        .build())
                .addToConditions(new ConditionBuilder()
                        .withType("ResolvedRefs")
                        .withStatus(resolved ? "True" : "False")
                        .withReason(reason)
                        .withMessage(resolved ? "" : "backend " + reason)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime("2025-01-01T00:00:00Z")
                        .build())
                .endParent()
                .build());
        k8s.admin.resources(HTTPRoute.class).resource(resource).updateStatus();
    }

    private static long generation(HTTPRoute route) {
        return route.getMetadata().getGeneration();
    }

    @Test
    void aRouteWhoseGatewayAlreadyReportsUnresolvedBackendsIsRefusedBeforeAnyPodButNotForAnOlderOrAnotherParentsWord() {
        stableWithService(10);
        createStorefrontRoute();
        long created = generation(route());
        gatewayReports(NAMESPACE, "storefront", "public", false, "BackendNotFound", created);

        assertThatThrownBy(() -> cluster.stable(WEB))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("HTTPRoute shop/storefront has backends its gateway does not send to: Gateway"
                        + " shop/public reports ResolvedRefs False (BackendNotFound: backend BackendNotFound)")
                .hasMessageContaining("Fix them first");
        assertNothingCreated();

        // said of a parent the route no longer names: not about this route's backends
        gatewayReports(NAMESPACE, "storefront", "retired", false, "BackendNotFound", created);
        assertThat(cluster.stable(WEB).traffic()).isEqualTo(TrafficSplit.ROUTE_WEIGHTS);

        // said of the route as it was before someone fixed it: not about the backends it has now
        gatewayReports(NAMESPACE, "storefront", "public", false, "BackendNotFound", created);
        k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("storefront")
                .edit(r -> {
                    r.getSpec().setHostnames(List.of("shop.example.com"));
                    return r;
                });
        assertThat(generation(route())).isGreaterThan(created);
        assertThat(cluster.stable(WEB).traffic()).isEqualTo(TrafficSplit.ROUTE_WEIGHTS);
    }

    @Test
    void aGatewayThatDoesNotSendToTheTrackBackendsStopsTheCanaryBeforeItGetsTrafficAndARollbackUndoesIt() {
        stableWithService(10);
        Fabric8Cluster elsewhere = k8s.newCluster(target -> Optional.of(SHARED));
        createSharedRoute();
        grant("routes-from-gateways", "gateways");
        StableDeployment stable = elsewhere.stable(WEB);
        ReplicaPlan plan = stable.planFor(5);
        k8s.controller.pause();
        elsewhere.ensureBaseline(WEB, V1, plan.baseline());
        elsewhere.ensureCanary(WEB, V2, plan.canary());
        elsewhere.scale(WEB, plan); // the track backends are in the route, with no weight while no pod is ready
        long withTracks = generation(sharedRoute());

        // the grant is taken away; the gateway's word on the route before the backends were added does not count
        k8s.admin.resources(ReferenceGrant.class).inNamespace(NAMESPACE).delete();
        gatewayReports("gateways", "public", "public", false, "RefNotPermitted", withTracks - 1);
        elsewhere.scale(WEB, plan);

        // its word on the route as it is now does
        gatewayReports("gateways", "public", "public", false, "RefNotPermitted", withTracks);
        k8s.controller.resume();
        assertThat(elsewhere.awaitReady(WEB, Instant.now().plus(READY_WITHIN))).isEqualTo(new Readiness.Ready());
        assertThatThrownBy(() -> elsewhere.scale(WEB, plan))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("HTTPRoute gateways/public sends part of the traffic to backends its gateway does"
                        + " not send to: Gateway gateways/public reports ResolvedRefs False (RefNotPermitted")
                .hasMessageContaining("check that a ReferenceGrant in namespace shop lets HTTPRoutes of namespace"
                        + " gateways refer to Services web, web-canary and web-baseline");
        assertThat(sharedRoute().getSpec().getRules().getFirst().getBackendRefs())
                .extracting(HTTPBackendRef::getName, HTTPBackendRef::getWeight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("web", 100),
                        org.assertj.core.groups.Tuple.tuple("web-canary", 0),
                        org.assertj.core.groups.Tuple.tuple("web-baseline", 0));

        elsewhere.rollback(WEB);
        assertThat(sharedRoute().getSpec().getRules().getFirst().getBackendRefs())
                .extracting(HTTPBackendRef::getName, HTTPBackendRef::getWeight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("web", 100));
        assertThat(service("web-canary")).isEmpty();
    }

    // --- what a tick reads ---

    /** What the engine does at each tick of a step ({@code DeployPipeline.shift}): the requests it sends. */
    private List<ApiCall> engineTick(ReplicaPlan plan) {
        int mark = k8s.recording.made();
        cluster.stable(WEB);
        tick(plan);
        awaitReady();
        return k8s.recording.since(mark);
    }

    private static long count(List<ApiCall> calls, String verb, String resource) {
        return calls.stream()
                .filter(c -> c.verb().equals(verb) && c.resource().equals(resource))
                .count();
    }

    @Test
    void aTickReadsTheRouteOnceAndItsServicesOnlyWhenTheRouteIsToChangeOrWasChanged() {
        stableWithService(10);
        createStorefrontRoute();
        ReplicaPlan five = startCanary(5);
        awaitReady();
        tick(five);
        assertThat(weights().getFirst()).isEqualTo(split(90, 5, 5));

        // a tick that changes nothing reads the route (weights someone else changed, the gateway's word) and no
        // Service: before, it read the stable Service and both track Services at every tick (4 reads, now 1)
        var steady = engineTick(five);
        assertThat(count(steady, "get", "httproutes")).isEqualTo(1);
        assertThat(count(steady, "get", "services")).isZero();
        assertThat(steady)
                .as("writes nothing")
                .allMatch(c -> c.verb().equals("get") || c.verb().equals("list"));
        var atFive = versions();
        assertThat(engineTick(five)).isEqualTo(steady);
        assertThat(versions()).isEqualTo(atFive);

        // a new step reads them before the route sends more to them
        ReplicaPlan twentyFive = cluster.stable(WEB).planFor(25);
        tick(twentyFive);
        awaitReady();
        var stepping = engineTick(twentyFive);
        assertThat(count(stepping, "patch", "httproutes")).isEqualTo(1);
        assertThat(count(stepping, "get", "services")).isEqualTo(3);
        assertThat(weights().getFirst()).isEqualTo(split(50, 25, 25));
        assertThat(count(engineTick(twentyFive), "get", "services")).isZero();

        // weights someone else changed are set again, the Services read first
        k8s.admin
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("storefront")
                .edit(r -> {
                    r.getSpec()
                            .getRules()
                            .getFirst()
                            .getBackendRefs()
                            .getFirst()
                            .setWeight(100);
                    return r;
                });
        var restored = engineTick(twentyFive);
        assertThat(count(restored, "get", "services")).isEqualTo(3);
        assertThat(weights().getFirst()).isEqualTo(split(50, 25, 25));
        assertThat(count(engineTick(twentyFive), "get", "services")).isZero();
    }

    @Test
    void aTrackServiceDeletedByHandIsMadeAgainOnceTheGatewaySaysSoAndTheCanaryIsStoppedIfTheGatewayStillRefusesIt() {
        stableWithService(10);
        createRoute(rule(ref("web", null)));
        ReplicaPlan plan = startCanary(5);
        awaitReady();
        tick(plan);
        gatewayReports(NAMESPACE, "storefront", "public", true, "ResolvedRefs", generation(route()));
        tick(plan);

        k8s.admin.services().inNamespace(NAMESPACE).withName("web-canary").delete();
        tick(plan); // nothing has written the route: the Services are not read
        assertThat(service("web-canary")).isEmpty();
        gatewayReports(NAMESPACE, "storefront", "public", false, "BackendNotFound", generation(route()));
        tick(plan); // the gateway's word is a write: the Services are read, and the missing one made again
        assertThat(service("web-canary")).isPresent();
        gatewayReports(NAMESPACE, "storefront", "public", true, "ResolvedRefs", generation(route()));
        tick(plan);
        assertThat(weights()).containsExactly(split(90, 5, 5));

        // made again, but the gateway still says it does not send to it an interval later: the canary stops
        k8s.admin.services().inNamespace(NAMESPACE).withName("web-baseline").delete();
        gatewayReports(NAMESPACE, "storefront", "public", false, "BackendNotFound", generation(route()));
        tick(plan);
        assertThat(service("web-baseline")).isPresent();
        assertThatThrownBy(() -> tick(plan))
                .isInstanceOf(ClusterRefused.class)
                .hasMessageContaining("reports ResolvedRefs False (BackendNotFound")
                .hasMessageContaining("check that Services shop/web-canary and shop/web-baseline exist");
    }

    // --- a rollout's end ---

    @Test
    void aRouteLeftDividingTheTrafficIsSeenAndAPromotionSendsItAllToTheStableServiceOnce() {
        stableWithService(10);
        createStorefrontRoute();
        assertThat(cluster.trafficDivided(WEB)).isFalse();
        ReplicaPlan plan = startCanary(25);
        awaitReady();
        tick(plan);
        // canary and baseline deleted by hand: nothing says a rollout runs but the route
        k8s.admin
                .apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName("web-canary")
                .delete();
        k8s.admin
                .apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .withName("web-baseline")
                .delete();

        assertThat(cluster.inspect(WEB).inProgress()).isFalse();
        assertThat(cluster.trafficDivided(WEB)).isTrue();
        // a restarted engine, with the route since taken out of the configuration, still sees the one it started with
        assertThat(k8s.newCluster(target -> Optional.empty()).trafficDivided(WEB))
                .isTrue();

        cluster.promote(WEB, V1);

        assertThat(weights()).containsExactly(only("web", 100), only("static", null), only("web", 100));
        assertThat(service("web-canary")).isEmpty();
        assertThat(cluster.trafficDivided(WEB)).isFalse();
        var ended = versions();
        cluster.promote(WEB, V1);
        assertThat(versions()).isEqualTo(ended);
    }
}

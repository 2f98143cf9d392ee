package io.harbormaster.engine.adapters.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.Track;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API for tests: Fabric8's mock server in CRUD mode with a {@link TestController} making pods, a client
 * for the test's own reads and writes, and adapters whose requests are recorded.
 */
final class MockKubernetes implements AutoCloseable {
    static final String NAMESPACE = "shop";
    static final Duration POLL = Duration.ofMillis(20);
    // the mock server logs every request at INFO; kept here so the setting is not garbage-collected with the logger
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
    }

    final KubernetesMockServer server;
    /** The test's and the controller's client: its requests are not the adapter's, so they are not recorded. */
    final KubernetesClient admin;

    final TestController controller;
    private final KubernetesClient controllerClient;
    final RecordingApiCalls recording = new RecordingApiCalls();
    private final List<KubernetesClient> botClients = new ArrayList<>();

    MockKubernetes() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
        server.init();
        admin = server.createClient();
        controllerClient = server.createClient();
        controller = new TestController(controllerClient, NAMESPACE, POLL);
    }

    /** A fresh adapter over a fresh client (as a restarted engine would have), its requests recorded. */
    Fabric8Cluster newCluster() {
        return newCluster(target -> Optional.empty());
    }

    /** The same, with Gateway API routes configured. */
    Fabric8Cluster newCluster(Function<RolloutTarget, Optional<GatewayRoute>> routes) {
        KubernetesClient client = server.createClient(builder -> builder.withHttpClientBuilderConsumer(
                http -> http.addOrReplaceInterceptor("record-api-calls", recording)));
        botClients.add(client);
        return new Fabric8Cluster(client, Clock.systemUTC(), POLL, routes);
    }

    /** A stable Deployment as a team would have it: selector {@code app=<name>}, one container, a Service on it. */
    Deployment createStable(String name, String container, String image, int replicas) {
        return createStable(name, container, image, replicas, Map.of());
    }

    /** The same, its pods labelled {@code podLabels} as well (e.g. {@code track: stable} for a Service to select). */
    Deployment createStable(String name, String container, String image, int replicas, Map<String, String> podLabels) {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .addToLabels("app", name)
                .addToLabels("team", "payments")
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .addToLabels("version", "stable-template")
                .addToLabels(podLabels)
                .addToAnnotations("prometheus.io/scrape", "true")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("log-shipper")
                .withImage("registry.example.com/fluent-bit:3.0")
                .endContainer()
                .addNewContainer()
                .withName(container)
                .withImage(image)
                .addNewPort()
                .withContainerPort(8080)
                .endPort()
                .addNewEnv()
                .withName("MODE")
                .withValue("prod")
                .endEnv()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        return admin.apps()
                .deployments()
                .inNamespace(NAMESPACE)
                .resource(deployment)
                .create();
    }

    Optional<Deployment> deployment(String name) {
        return Optional.ofNullable(
                admin.apps().deployments().inNamespace(NAMESPACE).withName(name).get());
    }

    /** The pods the Service {@code app=<app>} sends traffic to, of one track (stable pods carry no track label). */
    List<Pod> servicePods(String app, Track track) {
        return admin.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems().stream()
                .filter(pod -> {
                    String label = pod.getMetadata().getLabels().get(Fabric8Cluster.TRACK_LABEL);
                    return track == Track.STABLE ? label == null : track.label().equals(label);
                })
                .toList();
    }

    @Override
    public void close() {
        controller.close();
        controllerClient.close();
        botClients.forEach(KubernetesClient::close);
        admin.close();
        server.destroy();
        RecordingApiCalls.writeReport();
    }
}

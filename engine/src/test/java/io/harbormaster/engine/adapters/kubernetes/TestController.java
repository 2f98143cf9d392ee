package io.harbormaster.engine.adapters.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a real cluster's Deployment controller, scheduler and kubelets do, reduced to what the adapter relies on: for each
 * Deployment of a namespace, pods matching its current template (old-template pods replaced at once, the count kept at
 * {@code replicas}, pods of deleted Deployments removed), and the Deployment's status. A pod is ready at once, except
 * that an image containing {@code crashloop} never gets ready (its container is in {@code CrashLoopBackOff}) and one
 * containing {@code pending} is never scheduled.
 *
 * <p>It polls (every {@code interval}) on its own thread and with its own client, so its requests are not counted as
 * the adapter's.
 */
final class TestController implements AutoCloseable {
    static final String TEMPLATE_HASH = "pod-template-hash";

    private final KubernetesClient client;
    private final String namespace;
    private final Duration interval;
    private final Thread thread;
    private final AtomicReference<RuntimeException> lastFailure = new AtomicReference<>();
    private volatile boolean running = true;
    private boolean paused;

    TestController(KubernetesClient client, String namespace, Duration interval) {
        this.client = client;
        this.namespace = namespace;
        this.interval = interval;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("test-controller-" + namespace)
                .start(this::run);
    }

    private void run() {
        while (running) {
            try {
                round();
                lastFailure.set(null);
            } catch (KubernetesClientException e) {
                lastFailure.set(e); // a conflict with the adapter's writes: the next round sees the new state
            } catch (RuntimeException e) {
                if (running) {
                    lastFailure.set(e);
                }
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void round() {
        if (!paused) {
            reconcile();
        }
    }

    /**
     * Stops reconciling (after the round in progress, if any) until {@link #resume()}: pods and statuses stay as they
     * are, as in a cluster whose new pods have not started yet.
     */
    synchronized void pause() {
        paused = true;
    }

    synchronized void resume() {
        paused = false;
    }

    /** One round of reconciliation (also callable from a test thread to be sure a round has run). */
    synchronized void reconcile() {
        List<Deployment> deployments =
                client.apps().deployments().inNamespace(namespace).list().getItems();
        List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
        for (Pod pod : pods) {
            if (deployments.stream().noneMatch(d -> owns(d, pod))) {
                deletePod(pod); // the garbage collector removes pods whose owner is gone
            }
        }
        for (Deployment deployment : deployments) {
            reconcile(deployment, pods.stream().filter(p -> owns(deployment, p)).toList());
        }
    }

    private void reconcile(Deployment deployment, List<Pod> owned) {
        String hash = templateHash(deployment);
        int wanted = deployment.getSpec().getReplicas() == null
                ? 1
                : deployment.getSpec().getReplicas();
        List<Pod> current = new ArrayList<>();
        for (Pod pod : owned) {
            if (hash.equals(pod.getMetadata().getLabels().get(TEMPLATE_HASH)) && current.size() < wanted) {
                current.add(pod);
            } else {
                deletePod(pod); // an old template or one too many
            }
        }
        while (current.size() < wanted) {
            current.add(createPod(deployment, hash));
        }
        int ready = (int) current.stream().filter(TestController::isReady).count();
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(current.size())
                .withUpdatedReplicas(current.size())
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .withUnavailableReplicas(current.size() - ready)
                .build();
        if (!status.equals(deployment.getStatus())) {
            deployment.setStatus(status);
            client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .resource(deployment)
                    .updateStatus();
        }
    }

    private Pod createPod(Deployment deployment, String hash) {
        String name = deployment.getMetadata().getName() + "-" + hash + "-" + randomSuffix();
        Map<String, String> labels = new LinkedHashMap<>(
                deployment.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(TEMPLATE_HASH, hash);
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(deployment.getMetadata().getName())
                .withUid(deployment.getMetadata().getUid())
                .withController(true)
                .build();
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
                .withOwnerReferences(owner)
                .endMetadata()
                .withSpec(deployment.getSpec().getTemplate().getSpec())
                .build();
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        created.setStatus(statusFor(created));
        return client.pods().inNamespace(namespace).resource(created).updateStatus();
    }

    private static io.fabric8.kubernetes.api.model.PodStatus statusFor(Pod pod) {
        boolean pending = pod.getSpec().getContainers().stream()
                .anyMatch(c -> c.getImage().contains("pending"));
        if (pending) {
            return new PodStatusBuilder()
                    .withPhase("Pending")
                    .addNewCondition()
                    .withType("PodScheduled")
                    .withStatus("False")
                    .withReason("Unschedulable")
                    .endCondition()
                    .build();
        }
        List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
                .map(c -> {
                    ContainerStatusBuilder status =
                            new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage());
                    if (c.getImage().contains("crashloop")) {
                        return status.withReady(false)
                                .withRestartCount(3)
                                .withNewState()
                                .withNewWaiting()
                                .withReason("CrashLoopBackOff")
                                .withMessage("back-off 40s restarting failed container")
                                .endWaiting()
                                .endState()
                                .build();
                    }
                    return status.withReady(true)
                            .withRestartCount(0)
                            .withNewState()
                            .withNewRunning()
                            .endRunning()
                            .endState()
                            .build();
                })
                .toList();
        return new PodStatusBuilder()
                .withPhase("Running")
                .withContainerStatuses(containers)
                .build();
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getContainerStatuses().stream().allMatch(ContainerStatus::getReady);
    }

    private static boolean owns(Deployment deployment, Pod pod) {
        return pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> o.getName().equals(deployment.getMetadata().getName())
                        && Objects.equals(o.getUid(), deployment.getMetadata().getUid()));
    }

    private void deletePod(Pod pod) {
        client.pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .delete();
    }

    private String templateHash(Deployment deployment) {
        String json =
                client.getKubernetesSerialization().asJson(deployment.getSpec().getTemplate());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomSuffix() {
        return Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
    }

    /** The last round's failure, if the last round failed (for a test's message when the cluster never converges). */
    RuntimeException lastFailure() {
        return lastFailure.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

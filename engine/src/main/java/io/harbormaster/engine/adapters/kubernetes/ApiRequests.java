package io.harbormaster.engine.adapters.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.harbormaster.engine.rollout.ClusterForbidden;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.ClusterUnavailable;
import io.harbormaster.engine.rollout.RolloutTarget;
import java.util.function.Supplier;

/** Sends one API request, translating the client's errors into the {@code Cluster} port's, named as RBAC names them. */
final class ApiRequests {
    private ApiRequests() {}

    /**
     * Runs {@code request}, a {@code verb} on {@code resource} of API group {@code group} in {@code namespace}, made for
     * {@code target}'s rollout.
     */
    static <T> T call(
            KubernetesClient client,
            String verb,
            String group,
            String resource,
            String namespace,
            RolloutTarget target,
            Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            String what = verb + " " + resource + " in namespace " + namespace + " (for " + target + ")";
            switch (e.getCode()) {
                case 403 -> throw new ClusterForbidden(verb, group, resource, namespace, e);
                case 409 ->
                    throw new ClusterUnavailable(
                            "Kubernetes reported a conflict to " + what + ": something else changed it at the same"
                                    + " time; repeating the operation converges",
                            e);
                case 400, 404, 422 ->
                    throw new ClusterRefused("Kubernetes rejected the request to " + what + ": " + e.getMessage(), e);
                case 401 ->
                    throw new ClusterUnavailable(
                            "Kubernetes did not accept the bot's credentials (401) to " + what
                                    + ": check its service account token or kubeconfig",
                            e);
                default ->
                    throw new ClusterUnavailable(
                            "Could not " + what + " at " + client.getMasterUrl() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether the API server refused a request as unprocessable (422): a JSON Patch whose {@code test} failed. */
    static boolean unprocessable(ClusterRefused e) {
        return e.getCause() instanceof KubernetesClientException k && k.getCode() == 422;
    }
}

package io.harbormaster.bot.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.harbormaster.engine.canary.CanaryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fields the typed model leaves optional but the bot's install needs, and the references between objects (a
 * Service's selector, a probe's port, a Secret key, a ConfigMap volume). Each problem is one line naming the object.
 */
final class ManifestChecks {
    static final String CONFIG_KEY = "harbormaster.yml";
    private static final Set<Class<?>> CLUSTER_SCOPED =
            Set.of(Namespace.class, ClusterRole.class, ClusterRoleBinding.class);

    private final List<HasMetadata> objects;
    private final Set<String> secretKeys;
    private final String namespace;
    private final List<String> problems = new ArrayList<>();

    private ManifestChecks(List<HasMetadata> objects, Set<String> secretKeys, String namespace) {
        this.objects = objects;
        this.secretKeys = secretKeys;
        this.namespace = namespace;
    }

    /**
     * Problems in one build. {@code secretKeys} are the keys of the Secret template (the Secret is created by hand, so
     * it is not part of a build); {@code namespace} the one every namespaced object must declare.
     */
    static List<String> check(List<HasMetadata> objects, Set<String> secretKeys, String namespace) {
        var checks = new ManifestChecks(objects, secretKeys, namespace);
        checks.run();
        return checks.problems;
    }

    private void run() {
        for (HasMetadata o : objects) {
            String id = o.getKind() + "/" + o.getMetadata().getName();
            if (blank(o.getMetadata().getName())) {
                problems.add(o.getKind() + ": metadata.name is required");
            }
            if (!CLUSTER_SCOPED.contains(o.getClass())
                    && !Objects.equals(o.getMetadata().getNamespace(), namespace)) {
                problems.add(id + ": metadata.namespace must be '" + namespace + "' (as the kustomization sets it),"
                        + " so that `kubectl apply -f` of the plain files gives the same objects");
            }
            switch (o) {
                case Deployment d -> deployment(id, d);
                case Service s -> service(id, s);
                case PodDisruptionBudget p -> pdb(id, p);
                case NetworkPolicy n -> networkPolicy(id, n);
                case ClusterRoleBinding b ->
                    binding(id, b.getRoleRef().getKind(), b.getRoleRef().getName(), b.getSubjects());
                case RoleBinding b ->
                    binding(id, b.getRoleRef().getKind(), b.getRoleRef().getName(), b.getSubjects());
                case ClusterRole r ->
                    require(id, r.getRules() != null && !r.getRules().isEmpty(), "rules are required");
                case ConfigMap c ->
                    require(id, c.getData() != null && !c.getData().isEmpty(), "data is required");
                case PersistentVolumeClaim c ->
                    require(
                            id,
                            c.getSpec() != null
                                    && c.getSpec().getAccessModes() != null
                                    && !c.getSpec().getAccessModes().isEmpty()
                                    && c.getSpec().getResources() != null
                                    && c.getSpec().getResources().getRequests() != null
                                    && c.getSpec().getResources().getRequests().containsKey("storage"),
                            "spec.accessModes and spec.resources.requests.storage are required");
                default -> {}
            }
        }
        require("build", !all(Deployment.class).isEmpty(), "has no Deployment");
    }

    private void deployment(String id, Deployment d) {
        var spec = d.getSpec();
        if (spec == null || spec.getTemplate() == null || spec.getTemplate().getSpec() == null) {
            problems.add(id + ": spec.template.spec is required");
            return;
        }
        Map<String, String> labels = Optional.ofNullable(spec.getTemplate().getMetadata())
                .map(m -> m.getLabels())
                .orElse(Map.of());
        if (!selectsLabels(spec.getSelector(), labels)) {
            problems.add(id + ": spec.selector.matchLabels must be non-empty and match the template's labels");
        }
        PodSpec pod = spec.getTemplate().getSpec();
        require(
                id,
                pod.getServiceAccountName() != null && named(ServiceAccount.class, pod.getServiceAccountName()),
                "serviceAccountName must name a ServiceAccount of the build");
        var psc = pod.getSecurityContext();
        require(
                id,
                psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot()),
                "pod securityContext.runAsNonRoot: true");
        require(
                id,
                psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() != 0,
                "pod securityContext.runAsUser must be a non-zero UID");
        long step = CanaryPolicy.defaults().intervalSeconds()
                * CanaryPolicy.defaults().steps().getFirst().intervals();
        require(
                id,
                pod.getTerminationGracePeriodSeconds() != null && pod.getTerminationGracePeriodSeconds() >= step,
                "terminationGracePeriodSeconds must cover one default canary step (" + step + " s)");
        Set<String> volumes = pod.getVolumes() == null
                ? Set.of()
                : pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
            if (v.getConfigMap() != null) {
                require(
                        id,
                        named(ConfigMap.class, v.getConfigMap().getName()),
                        "volume " + v.getName() + " names no ConfigMap of the build");
            }
            if (v.getPersistentVolumeClaim() != null) {
                require(
                        id,
                        named(
                                PersistentVolumeClaim.class,
                                v.getPersistentVolumeClaim().getClaimName()),
                        "volume " + v.getName() + " names no PersistentVolumeClaim of the build");
            }
        }
        if (pod.getContainers() == null || pod.getContainers().isEmpty()) {
            problems.add(id + ": at least one container is required");
            return;
        }
        for (Container c : pod.getContainers()) {
            container(id + " container " + c.getName(), c, volumes, pod);
        }
    }

    private void container(String id, Container c, Set<String> volumes, PodSpec pod) {
        require(id, !blank(c.getName()), "name is required");
        require(id, !blank(c.getImage()), "image is required");
        require(id, c.getPorts() != null && !c.getPorts().isEmpty(), "ports are required");
        var ports = c.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.ContainerPort>of() : c.getPorts();
        for (var p : ports) {
            require(id, p.getContainerPort() != null && p.getContainerPort() > 0, "every port needs a containerPort");
        }
        probe(id, "livenessProbe", c.getLivenessProbe(), "/healthz", c);
        probe(id, "readinessProbe", c.getReadinessProbe(), "/readyz", c);
        var r = c.getResources();
        require(
                id,
                r != null
                        && r.getRequests() != null
                        && r.getRequests().containsKey("cpu")
                        && r.getRequests().containsKey("memory")
                        && r.getLimits() != null
                        && r.getLimits().containsKey("memory"),
                "resources need cpu and memory requests and a memory limit (the JVM sizes its heap from it)");
        var sc = c.getSecurityContext();
        require(
                id,
                sc != null && Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()),
                "allowPrivilegeEscalation: false");
        require(id, sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()), "readOnlyRootFilesystem: true");
        require(
                id,
                sc != null
                        && sc.getCapabilities() != null
                        && sc.getCapabilities().getDrop() != null
                        && sc.getCapabilities().getDrop().contains("ALL"),
                "capabilities.drop: [ALL]");
        var mounts = c.getVolumeMounts() == null
                ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of()
                : c.getVolumeMounts();
        for (var m : mounts) {
            require(id, volumes.contains(m.getName()), "volumeMount " + m.getName() + " names no volume");
        }
        boolean writableTmp = mounts.stream()
                .anyMatch(m -> m.getMountPath().equals("/tmp")
                        && pod.getVolumes().stream()
                                .anyMatch(v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null));
        require(id, writableTmp, "/tmp must be a writable emptyDir (the root filesystem is read-only)");
        var env = c.getEnv() == null ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : c.getEnv();
        for (var e : env) {
            require(id, !blank(e.getName()), "every env entry needs a name");
            var ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
            if (ref != null) {
                require(
                        id,
                        "harbormaster".equals(ref.getName()) && secretKeys.contains(ref.getKey()),
                        "env " + e.getName() + " reads Secret " + ref.getName() + " key " + ref.getKey()
                                + ", which manifests/base/secret.yaml does not name");
            }
        }
        var config = env.stream()
                .filter(e -> e.getName().equals("HARBORMASTER_CONFIG"))
                .findFirst();
        boolean configMounted = config.isPresent()
                && mounts.stream()
                        .anyMatch(m -> config.get().getValue().equals(m.getMountPath() + "/" + CONFIG_KEY)
                                && pod.getVolumes().stream()
                                        .anyMatch(v -> v.getName().equals(m.getName())
                                                && v.getConfigMap() != null
                                                && configMapHasKey(
                                                        v.getConfigMap().getName())));
        require(id, configMounted, "HARBORMASTER_CONFIG must point at harbormaster.yml in a mounted ConfigMap");
    }

    private void probe(String id, String which, Probe probe, String path, Container c) {
        HTTPGetAction get = probe == null ? null : probe.getHttpGet();
        if (get == null || !path.equals(get.getPath())) {
            problems.add(id + ": " + which + " must be an httpGet of " + path);
            return;
        }
        require(id, containerPort(c, get.getPort()), which + " port " + get.getPort() + " is not a container port");
    }

    private void service(String id, Service s) {
        if (s.getSpec() == null
                || s.getSpec().getPorts() == null
                || s.getSpec().getPorts().isEmpty()) {
            problems.add(id + ": spec.ports are required");
            return;
        }
        var targets = all(Deployment.class).stream()
                .filter(d -> selects(
                        s.getSpec().getSelector(),
                        d.getSpec().getTemplate().getMetadata().getLabels()))
                .toList();
        require(id, targets.size() == 1, "spec.selector must select the Deployment's pods");
        for (var p : s.getSpec().getPorts()) {
            require(id, p.getPort() != null, "every port needs a port number");
            for (var d : targets) {
                require(
                        id,
                        d.getSpec().getTemplate().getSpec().getContainers().stream()
                                .anyMatch(c -> containerPort(c, p.getTargetPort())),
                        "targetPort " + p.getTargetPort() + " is not a container port of "
                                + d.getMetadata().getName());
            }
        }
    }

    private void pdb(String id, PodDisruptionBudget p) {
        var spec = p.getSpec();
        if (spec == null || (spec.getMinAvailable() == null) == (spec.getMaxUnavailable() == null)) {
            problems.add(id + ": exactly one of minAvailable and maxUnavailable is required");
            return;
        }
        for (var d : all(Deployment.class)) {
            require(
                    id,
                    selectsLabels(
                            spec.getSelector(),
                            d.getSpec().getTemplate().getMetadata().getLabels()),
                    "spec.selector must select the Deployment's pods");
            if (spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null) {
                int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
                require(
                        id,
                        spec.getMinAvailable().getIntVal() < replicas,
                        "minAvailable " + spec.getMinAvailable().getIntVal() + " with " + replicas
                                + " replica(s) would block every node drain");
            }
        }
    }

    private void networkPolicy(String id, NetworkPolicy n) {
        var spec = n.getSpec();
        if (spec == null || spec.getPodSelector() == null || spec.getPolicyTypes() == null) {
            problems.add(id + ": spec.podSelector and spec.policyTypes are required");
            return;
        }
        for (var d : all(Deployment.class)) {
            require(
                    id,
                    selectsLabels(
                            spec.getPodSelector(),
                            d.getSpec().getTemplate().getMetadata().getLabels()),
                    "spec.podSelector must select the Deployment's pods");
            for (var rule : spec.getIngress() == null
                    ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
                    : spec.getIngress()) {
                require(
                        id,
                        rule.getPorts() != null && !rule.getPorts().isEmpty(),
                        "every ingress rule must name its ports");
                for (var port : rule.getPorts() == null
                        ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort>of()
                        : rule.getPorts()) {
                    require(
                            id,
                            d.getSpec().getTemplate().getSpec().getContainers().stream()
                                    .anyMatch(c -> containerPort(c, port.getPort())),
                            "ingress port " + port.getPort() + " is not the bot's HTTP port");
                }
            }
        }
        for (var rule : spec.getEgress() == null
                ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
                : spec.getEgress()) {
            require(id, rule.getPorts() != null && !rule.getPorts().isEmpty(), "every egress rule must name its ports");
        }
    }

    private void binding(String id, String roleKind, String roleName, List<Subject> subjects) {
        require(
                id,
                "ClusterRole".equals(roleKind) && named(ClusterRole.class, roleName),
                "roleRef must name a ClusterRole of the build");
        require(id, subjects != null && !subjects.isEmpty(), "subjects are required");
        for (Subject s : subjects == null ? List.<Subject>of() : subjects) {
            require(
                    id,
                    "ServiceAccount".equals(s.getKind())
                            && named(ServiceAccount.class, s.getName())
                            && namespace.equals(s.getNamespace()),
                    "subject " + s.getName() + " must be the bot's ServiceAccount in " + namespace);
        }
    }

    private boolean configMapHasKey(String name) {
        return all(ConfigMap.class).stream()
                .anyMatch(c ->
                        c.getMetadata().getName().equals(name) && c.getData().containsKey(CONFIG_KEY));
    }

    private static boolean containerPort(Container c, IntOrString port) {
        if (port == null || c.getPorts() == null) {
            return false;
        }
        return c.getPorts().stream()
                .anyMatch(p -> port.getIntVal() != null
                        ? Objects.equals(p.getContainerPort(), port.getIntVal())
                        : Objects.equals(p.getName(), port.getStrVal()));
    }

    private static boolean selectsLabels(LabelSelector selector, Map<String, String> labels) {
        return selector != null
                && (selector.getMatchExpressions() == null
                        || selector.getMatchExpressions().isEmpty())
                && selects(selector.getMatchLabels(), labels);
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null
                && !selector.isEmpty()
                && labels != null
                && labels.entrySet().containsAll(selector.entrySet());
    }

    private <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private boolean named(Class<? extends HasMetadata> type, String name) {
        return all(type).stream().anyMatch(o -> o.getMetadata().getName().equals(name));
    }

    private void require(String id, boolean ok, String what) {
        if (!ok) {
            problems.add(id + ": " + what);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The keys the Secret template names; its values must all be empty. */
    static Set<String> secretKeys(Secret template) {
        var keys = new java.util.TreeSet<String>();
        if (template.getStringData() != null) {
            keys.addAll(template.getStringData().keySet());
        }
        if (template.getData() != null) {
            keys.addAll(template.getData().keySet());
        }
        return keys;
    }
}

package io.harbormaster.engine.adapters.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.rollout.Cluster;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.ClusterUnavailable;
import io.harbormaster.engine.rollout.Readiness;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutSnapshot;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.StableDeployment;
import io.harbormaster.engine.rollout.StableNotFound;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.engine.rollout.TrackDeployment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@link Cluster} on a real API server through the Fabric8 client. Traffic follows replica counts, or, for a service
 * given a Gateway API route, the route's weights ({@link GatewayApiRouter}).
 *
 * <p>Every write is a create, a delete or a JSON Patch (never a merge or strategic-merge patch, which replace lists
 * differently across servers), made only when the cluster differs from what is asked. Canary and baseline carry the
 * label {@code app.kubernetes.io/managed-by=harbormaster} and the name of their stable Deployment; a Deployment
 * without them is never changed or deleted. The stable Deployment's size before the rollout is kept in its annotation
 * {@value #FULL_REPLICAS}, so a restarted engine (or a rollback) knows it; the route a rollout divides its traffic by,
 * if any, in {@value #HTTP_ROUTE} and {@value #ROUTE_SERVICE}, written with it, so the rollout keeps it to its end
 * whatever the configuration says by then (a route configured or removed in the middle of a canary applies to the
 * next one, and a rollback still resets the route it was started on).
 */
public final class Fabric8Cluster implements Cluster {
    /** The label telling the tracks apart, on Deployments and (for canary and baseline) their pods. */
    public static final String TRACK_LABEL = "track";

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "harbormaster";
    public static final String STABLE_ANNOTATION = "harbormaster.io/stable-deployment";
    public static final String SPEC_HASH = "harbormaster.io/spec-hash";
    public static final String FULL_REPLICAS = "harbormaster.io/full-replicas";
    /** On the stable Deployment during a rollout by route weights: the HTTPRoute, as {@code namespace/name}. */
    public static final String HTTP_ROUTE = "harbormaster.io/http-route";
    /** On the stable Deployment during a rollout by route weights: the stable Service the route sends to. */
    public static final String ROUTE_SERVICE = "harbormaster.io/route-service";

    /**
     * The API requests of every rollout, as RBAC names them: Deployments, and pods to see readiness and restarts.
     */
    public static final Set<ApiCall> DEPLOYMENT_CALLS = Set.of(
            new ApiCall("get", "apps", "deployments"),
            new ApiCall("create", "apps", "deployments"),
            new ApiCall("patch", "apps", "deployments"),
            new ApiCall("delete", "apps", "deployments"),
            new ApiCall("list", "", "pods"));

    /**
     * The API requests a rollout by Gateway API weights makes besides: the route read and patched, the canary's and
     * baseline's Services read, created and deleted (in the service's namespace; the route's may be another), and,
     * for a route in another namespace, the ReferenceGrants of the service's namespace listed.
     */
    public static final Set<ApiCall> GATEWAY_API_CALLS = GatewayApiRouter.API_CALLS;

    /**
     * Every API request this adapter makes, as RBAC names it: the least a Role in each service's namespace must grant
     * the bot (the Kubernetes tests check that they see exactly these).
     */
    public static final Set<ApiCall> API_CALLS = union(DEPLOYMENT_CALLS, GATEWAY_API_CALLS);

    /** Container states that do not end without a change: a rollout waiting on them fails at once. */
    private static final Set<String> STUCK_REASONS = Set.of(
            "CrashLoopBackOff",
            "ImagePullBackOff",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError");

    private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 3;
    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration pollInterval;
    private final Function<RolloutTarget, Optional<GatewayRoute>> gatewayRoutes;
    /** What the routers found in order at the last tick, so that the next reads no more than it must. */
    private final GatewayApiRouter.Checked checkedRoutes = new GatewayApiRouter.Checked();

    /** Over a client the caller owns (and closes), polling readiness every 2 s, traffic by replica ratio. */
    public Fabric8Cluster(KubernetesClient client) {
        this(client, target -> Optional.empty());
    }

    /**
     * Over a client the caller owns (and closes), polling readiness every 2 s.
     *
     * @param gatewayRoutes the route whose weights divide a target's traffic, as configured; none: replica ratio
     */
    public Fabric8Cluster(KubernetesClient client, Function<RolloutTarget, Optional<GatewayRoute>> gatewayRoutes) {
        this(client, Clock.systemUTC(), DEFAULT_POLL_INTERVAL, gatewayRoutes);
    }

    public Fabric8Cluster(
            KubernetesClient client,
            Clock clock,
            Duration pollInterval,
            Function<RolloutTarget, Optional<GatewayRoute>> gatewayRoutes) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gatewayRoutes = Objects.requireNonNull(gatewayRoutes, "gatewayRoutes");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, was " + pollInterval);
        }
        this.pollInterval = pollInterval;
    }

    @Override
    public StableDeployment stable(RolloutTarget target) {
        return stable(target, true);
    }

    /**
     * The stable Deployment; {@code check}: refuses, while no rollout is in progress, a route that could not divide
     * the traffic of the next one. Only a canary needs that: a revert, a dependency's health or a restarted engine's
     * look at what exists read the Deployment whatever state its route is in.
     */
    private StableDeployment stable(RolloutTarget target, boolean check) {
        Deployment stable = requireStable(target);
        int replicas = replicas(stable);
        int full = fullReplicas(stable).orElse(replicas);
        TrafficRouter router = router(target, Optional.of(stable));
        if (check && fullReplicas(stable).isEmpty()) { // no rollout yet: a route that cannot divide it stops it now
            router.check(target, podLabels(stable));
        }
        return new StableDeployment(
                target,
                imageOf(target, stable),
                replicas,
                full,
                orEmpty(stable.getSpec().getSelector().getMatchLabels()),
                router.split());
    }

    @Override
    public void ensureCanary(RolloutTarget target, String image, int replicas) {
        ensureTrack(target, Track.CANARY, image, replicas);
    }

    @Override
    public void ensureBaseline(RolloutTarget target, String image, int replicas) {
        ensureTrack(target, Track.BASELINE, image, replicas);
    }

    @Override
    public void scale(RolloutTarget target, ReplicaPlan plan) {
        Deployment stable = markStable(target, requireStable(target));
        TrafficRouter router = router(target, Optional.of(stable));
        if (plan.split() != router.split()) {
            throw new IllegalArgumentException("a plan by " + plan.split().configName() + " for " + target
                    + ", whose rollout divides its traffic by " + router);
        }
        Deployment canary = requireTrack(target, Track.CANARY);
        Deployment baseline = requireTrack(target, Track.BASELINE);
        // grow the new pods first and shrink stable last, so capacity never dips
        setReplicas(target, canary, plan.canary());
        setReplicas(target, baseline, plan.baseline());
        setReplicas(target, stable, plan.stable());
        // as read before their sizes were set: a track being resized is not yet serving all it is asked for
        router.route(target, plan, serving(canary, plan.canary()).and(serving(baseline, plan.baseline())));
    }

    @Override
    public Readiness awaitReady(RolloutTarget target, Instant deadline) {
        // bounded by polls too, so a clock that stands still (a test's fixed clock) cannot make this wait forever
        Duration budget = Duration.between(clock.instant(), deadline);
        long pollsLeft = budget.isNegative() ? 0 : budget.toMillis() / Math.max(1, pollInterval.toMillis()) + 1;
        while (true) {
            List<TrackReadiness> tracks = Stream.of(Track.CANARY, Track.BASELINE, Track.STABLE)
                    .map(track -> readiness(target, track))
                    .flatMap(Optional::stream)
                    .toList();
            List<String> stuck = tracks.stream()
                    .map(TrackReadiness::stuck)
                    .flatMap(Optional::stream)
                    .toList();
            if (!stuck.isEmpty()) {
                return new Readiness.NotReady(String.join("; ", stuck));
            }
            List<String> waiting = tracks.stream()
                    .filter(t -> !t.ready())
                    .map(TrackReadiness::state)
                    .toList();
            if (waiting.isEmpty()) {
                return new Readiness.Ready();
            }
            Instant now = clock.instant();
            if (!now.isBefore(deadline) || pollsLeft-- <= 0) {
                return new Readiness.TimedOut(String.join("; ", waiting));
            }
            long pause = Math.max(
                    1,
                    Math.min(
                            pollInterval.toMillis(),
                            Duration.between(now, deadline).toMillis()));
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Readiness.TimedOut("interrupted while waiting for " + String.join("; ", waiting));
            }
        }
    }

    @Override
    public void promote(RolloutTarget target, String image) {
        Objects.requireNonNull(image, "image");
        Deployment stable = requireStable(target);
        int index = containerIndex(target, stable);
        ArrayNode patch = JSON.arrayNode();
        String containerPath = "/spec/template/spec/containers/" + index;
        if (!image.equals(imageOf(target, stable))) {
            // guards against the container list having changed since it was read
            patch.add(op("test", containerPath + "/name").put("value", target.container()));
            patch.add(op("replace", containerPath + "/image").put("value", image));
        }
        router(target, Optional.of(stable)).reset(target); // before the annotations naming the route go
        restoreFullSize(stable, patch);
        patch(target, stable.getMetadata().getName(), patch);
        deleteTrack(target, Track.BASELINE);
        deleteTrack(target, Track.CANARY);
    }

    @Override
    public void rollback(RolloutTarget target) {
        Optional<Deployment> stable = get(target, target.deployment());
        router(target, stable).reset(target);
        deleteTrack(target, Track.CANARY); // the suspect version goes first
        if (stable.isPresent()) {
            ArrayNode patch = JSON.arrayNode();
            restoreFullSize(stable.get(), patch);
            patch(target, target.deployment(), patch);
        }
        deleteTrack(target, Track.BASELINE);
        if (stable.isEmpty()) {
            throw stableNotFound(target); // canary and baseline are gone; the rest is for a person to look at
        }
    }

    @Override
    public boolean trafficDivided(RolloutTarget target) {
        return router(target, get(target, target.deployment())).divided(target);
    }

    @Override
    public RolloutSnapshot inspect(RolloutTarget target) {
        StableDeployment stable = stable(target, false);
        return new RolloutSnapshot(
                stable, trackDeployment(target, Track.CANARY), trackDeployment(target, Track.BASELINE));
    }

    // --- canary and baseline ---

    private void ensureTrack(RolloutTarget target, Track track, String image, int replicas) {
        Objects.requireNonNull(image, "image");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative, was " + replicas);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Deployment stable = markStable(target, requireStable(target));
                Deployment desired = derive(target, stable, track, image, replicas);
                converge(target, desired);
                return;
            } catch (ClusterUnavailable e) {
                // another engine replica (or a person) created or changed it at the same time: read again, converge
                boolean conflict = e.getCause() instanceof KubernetesClientException k && k.getCode() == 409;
                if (!conflict || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private void converge(RolloutTarget target, Deployment desired) {
        String name = desired.getMetadata().getName();
        Optional<Deployment> existing = get(target, name);
        if (existing.isEmpty()) {
            create(target, desired);
            return;
        }
        Deployment current = requireManaged(target, existing.get());
        if (!Objects.equals(current.getSpec().getSelector(), desired.getSpec().getSelector())) {
            // a selector is immutable: replace the Deployment
            delete(target, name);
            create(target, desired);
            return;
        }
        String desiredHash = desired.getMetadata().getAnnotations().get(SPEC_HASH);
        ArrayNode patch = JSON.arrayNode();
        if (!desiredHash.equals(annotation(current, SPEC_HASH).orElse(""))) {
            patch.add(op("replace", "/metadata/labels")
                    .set("value", toJson(desired.getMetadata().getLabels())));
            if (current.getMetadata().getAnnotations() == null) {
                patch.add(op("add", "/metadata/annotations").set("value", JSON.objectNode()));
            }
            desired.getMetadata()
                    .getAnnotations()
                    .forEach((key, value) -> patch.add(
                            op("add", "/metadata/annotations/" + escape(key)).put("value", value)));
            patch.add(op("replace", "/spec/template")
                    .set("value", toJson(desired.getSpec().getTemplate())));
        }
        if (replicas(current) != desired.getSpec().getReplicas()) {
            patch.add(op("replace", "/spec/replicas")
                    .put("value", desired.getSpec().getReplicas()));
        }
        patch(target, name, patch);
    }

    /** The canary or baseline Deployment for the stable one: its pod template with the image, labelled by track. */
    private Deployment derive(RolloutTarget target, Deployment stable, Track track, String image, int replicas) {
        LabelSelector stableSelector = stable.getSpec().getSelector();
        boolean selectsOnTrack = stableSelector.getMatchLabels().containsKey(TRACK_LABEL)
                || stableSelector.getMatchExpressions().stream().anyMatch(e -> TRACK_LABEL.equals(e.getKey()));
        if (selectsOnTrack) {
            throw new ClusterRefused("Deployment " + target.namespace() + "/" + target.deployment()
                    + " selects its pods by the label '" + TRACK_LABEL + "', which Harbormaster sets on canary and"
                    + " baseline pods: remove '" + TRACK_LABEL + "' from its selector (and from the Service's)");
        }
        PodTemplateSpec template =
                client.getKubernetesSerialization().clone(stable.getSpec().getTemplate());
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> podLabels =
                new LinkedHashMap<>(orEmpty(template.getMetadata().getLabels()));
        podLabels.put(TRACK_LABEL, track.label());
        template.getMetadata().setLabels(podLabels);
        template.getSpec().getContainers().get(containerIndex(target, stable)).setImage(image);

        Map<String, String> selectorLabels = new LinkedHashMap<>(stableSelector.getMatchLabels());
        selectorLabels.put(TRACK_LABEL, track.label());
        LabelSelector selector = new LabelSelectorBuilder()
                .withMatchLabels(selectorLabels)
                .withMatchExpressions(stableSelector.getMatchExpressions())
                .build();

        Map<String, String> labels =
                new LinkedHashMap<>(orEmpty(stable.getMetadata().getLabels()));
        labels.put(TRACK_LABEL, track.label());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(STABLE_ANNOTATION, target.deployment());
        annotations.put(SPEC_HASH, hash(labels, selector, template));

        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(target.deploymentOf(track))
                .withNamespace(target.namespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withSelector(selector)
                .withTemplate(template)
                .withStrategy(stable.getSpec().getStrategy())
                .withMinReadySeconds(stable.getSpec().getMinReadySeconds())
                .withProgressDeadlineSeconds(stable.getSpec().getProgressDeadlineSeconds())
                .withRevisionHistoryLimit(stable.getSpec().getRevisionHistoryLimit())
                .endSpec()
                .build();
    }

    private Deployment requireTrack(RolloutTarget target, Track track) {
        String name = target.deploymentOf(track);
        return requireManaged(
                target,
                get(target, name)
                        .orElseThrow(() -> new ClusterRefused("There is no " + track.label() + " Deployment "
                                + target.namespace() + "/" + name + " to scale: create it first (ensure"
                                + (track == Track.CANARY ? "Canary" : "Baseline") + ")")));
    }

    private Optional<TrackDeployment> trackDeployment(RolloutTarget target, Track track) {
        return get(target, target.deploymentOf(track)).filter(this::isManaged).map(d -> {
            Optional<Container> container = container(target, d);
            return new TrackDeployment(
                    track,
                    d.getMetadata().getName(),
                    container.map(Container::getImage).orElse(""),
                    replicas(d),
                    status(d).getReadyReplicas() == null ? 0 : status(d).getReadyReplicas());
        });
    }

    private void deleteTrack(RolloutTarget target, Track track) {
        String name = target.deploymentOf(track);
        Optional<Deployment> existing = get(target, name);
        if (existing.isPresent()) {
            requireManaged(target, existing.get());
            delete(target, name);
        }
    }

    private Deployment requireManaged(RolloutTarget target, Deployment deployment) {
        if (!isManaged(deployment)
                || !target.deployment()
                        .equals(annotation(deployment, STABLE_ANNOTATION).orElse(""))) {
            throw new ClusterRefused("Deployment " + target.namespace() + "/"
                    + deployment.getMetadata().getName()
                    + " exists but was not created by Harbormaster for " + target.deployment() + " (no label "
                    + MANAGED_BY_LABEL + "=" + MANAGED_BY + " and annotation " + STABLE_ANNOTATION + "="
                    + target.deployment() + "): rename or remove it; Harbormaster will not change it");
        }
        return deployment;
    }

    private boolean isManaged(Deployment deployment) {
        return MANAGED_BY.equals(orEmpty(deployment.getMetadata().getLabels()).get(MANAGED_BY_LABEL));
    }

    // --- the stable Deployment ---

    private Deployment requireStable(RolloutTarget target) {
        Deployment stable = get(target, target.deployment()).orElseThrow(() -> stableNotFound(target));
        containerIndex(target, stable);
        return stable;
    }

    private static StableNotFound stableNotFound(RolloutTarget target) {
        return new StableNotFound("There is no Deployment " + target.deployment() + " in namespace "
                + target.namespace() + ": check the service's namespace and deployment in harbormaster.yml, and that"
                + " the bot talks to the right cluster");
    }

    /** Labels the stable Deployment {@code track=stable} and records its full size, once, before anything changes it. */
    private Deployment markStable(RolloutTarget target, Deployment stable) {
        ArrayNode patch = JSON.arrayNode();
        ObjectMeta meta = stable.getMetadata();
        if (meta.getLabels() == null) {
            patch.add(op("add", "/metadata/labels").set("value", JSON.objectNode()));
        }
        if (!Track.STABLE.label().equals(orEmpty(meta.getLabels()).get(TRACK_LABEL))) {
            patch.add(op("add", "/metadata/labels/" + TRACK_LABEL).put("value", Track.STABLE.label()));
        }
        if (meta.getAnnotations() == null) {
            patch.add(op("add", "/metadata/annotations").set("value", JSON.objectNode()));
        }
        if (fullReplicas(stable).isEmpty()) {
            patch.add(op("add", "/metadata/annotations/" + escape(FULL_REPLICAS))
                    .put("value", Integer.toString(replicas(stable))));
            // the route the rollout divides its traffic by, kept with it: the rollout keeps it to its end
            gatewayRoutes.apply(target).ifPresent(route -> {
                patch.add(op("add", "/metadata/annotations/" + escape(HTTP_ROUTE))
                        .put("value", route.namespace() + "/" + route.route()));
                patch.add(op("add", "/metadata/annotations/" + escape(ROUTE_SERVICE))
                        .put("value", route.service()));
            });
        }
        return patch.isEmpty() ? stable : patch(target, meta.getName(), patch).orElse(stable);
    }

    /**
     * How the target's traffic is moved: by the route its rollout started with, once it has started (the stable
     * Deployment records its full size and route then); else, or without a stable Deployment, as configured.
     */
    private TrafficRouter router(RolloutTarget target, Optional<Deployment> stable) {
        Optional<GatewayRoute> route =
                stable.isPresent() && fullReplicas(stable.get()).isPresent()
                        ? pinnedRoute(stable.get())
                        : gatewayRoutes.apply(target);
        return route.<TrafficRouter>map(r -> new GatewayApiRouter(client, r, checkedRoutes))
                .orElse(TrafficRouter.REPLICA_RATIO);
    }

    private static Optional<GatewayRoute> pinnedRoute(Deployment stable) {
        Optional<String> route = annotation(stable, HTTP_ROUTE);
        Optional<String> service = annotation(stable, ROUTE_SERVICE);
        if (route.isEmpty() || service.isEmpty() || route.get().indexOf('/') < 1) {
            return Optional.empty();
        }
        int slash = route.get().indexOf('/');
        return Optional.of(
                new GatewayRoute(route.get().substring(0, slash), route.get().substring(slash + 1), service.get()));
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        ObjectMeta meta = deployment.getSpec().getTemplate().getMetadata();
        return meta == null ? Map.of() : orEmpty(meta.getLabels());
    }

    /**
     * Adds to {@code patch} what gives the stable Deployment its size from before the rollout back, and forgets the
     * rollout's route.
     */
    private static void restoreFullSize(Deployment stable, ArrayNode patch) {
        Optional<Integer> full = fullReplicas(stable);
        if (full.isPresent()) {
            if (full.get() != replicas(stable)) {
                patch.add(op("replace", "/spec/replicas").put("value", full.get()));
            }
            patch.add(op("remove", "/metadata/annotations/" + escape(FULL_REPLICAS)));
        }
        for (String key : List.of(HTTP_ROUTE, ROUTE_SERVICE)) {
            if (annotation(stable, key).isPresent()) {
                patch.add(op("remove", "/metadata/annotations/" + escape(key)));
            }
        }
    }

    private static Optional<Integer> fullReplicas(Deployment stable) {
        return annotation(stable, FULL_REPLICAS).flatMap(value -> {
            try {
                return Optional.of(Integer.parseInt(value));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private void setReplicas(RolloutTarget target, Deployment deployment, int replicas) {
        if (replicas(deployment) != replicas) {
            ArrayNode patch = JSON.arrayNode();
            patch.add(op("replace", "/spec/replicas").put("value", replicas));
            patch(target, deployment.getMetadata().getName(), patch);
        }
    }

    // --- readiness ---

    private record TrackReadiness(boolean ready, String state, Optional<String> stuck) {}

    private Optional<TrackReadiness> readiness(RolloutTarget target, Track track) {
        String name = target.deploymentOf(track);
        Optional<Deployment> found = get(target, name);
        if (found.isEmpty()) {
            if (track == Track.STABLE) {
                throw stableNotFound(target);
            }
            return Optional.empty();
        }
        Deployment d = found.get();
        DeploymentStatus status = status(d);
        int wanted = replicas(d);
        long generation =
                d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        int total = orZero(status.getReplicas());
        int updated = orZero(status.getUpdatedReplicas());
        int ready = orZero(status.getReadyReplicas());
        String where = target.namespace() + "/" + name;
        if (settled(d)) {
            return Optional.of(new TrackReadiness(true, where + " ready", Optional.empty()));
        }
        String state = observed < generation
                ? where + ": the Deployment controller has not yet seen generation " + generation
                : where + ": " + ready + "/" + wanted + " ready, " + updated + "/" + wanted + " updated, " + total
                        + " pods";
        List<String> stuck = new ArrayList<>();
        for (DeploymentCondition condition : status.getConditions()) {
            if ("Progressing".equals(condition.getType())
                    && "False".equals(condition.getStatus())
                    && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                stuck.add(where + " exceeded its progress deadline: " + condition.getMessage());
            } else if ("ReplicaFailure".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                stuck.add(where + " cannot create pods: " + condition.getMessage());
            }
        }
        for (Pod pod : pods(target, track, d)) {
            List<ContainerStatus> statuses = new ArrayList<>();
            if (pod.getStatus() != null) {
                statuses.addAll(pod.getStatus().getInitContainerStatuses());
                statuses.addAll(pod.getStatus().getContainerStatuses());
            }
            for (ContainerStatus container : statuses) {
                if (container.getState() != null
                        && container.getState().getWaiting() != null
                        && STUCK_REASONS.contains(
                                container.getState().getWaiting().getReason())) {
                    var waiting = container.getState().getWaiting();
                    stuck.add(where + ": pod " + pod.getMetadata().getName() + ", container " + container.getName()
                            + " (" + container.getImage() + ") is in " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
                }
            }
        }
        return Optional.of(
                new TrackReadiness(false, state, stuck.isEmpty() ? Optional.empty() : Optional.of(stuck.getFirst())));
    }

    /** Whether all a Deployment's pods are of its current spec, ready and available, and no others run. */
    private static boolean settled(Deployment d) {
        DeploymentStatus status = status(d);
        int wanted = replicas(d);
        long generation =
                d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        return observed >= generation
                && orZero(status.getUpdatedReplicas()) == wanted
                && orZero(status.getReadyReplicas()) == wanted
                && orZero(status.getAvailableReplicas()) == wanted
                && orZero(status.getReplicas()) == wanted;
    }

    /** Whether a canary or baseline asked for {@code wanted} pods can take its weight of the traffic now. */
    private static TrafficRouter.Serving serving(Deployment track, int wanted) {
        if (replicas(track) == wanted && settled(track)) {
            return TrafficRouter.Serving.ALL;
        }
        return orZero(status(track).getReadyReplicas()) > 0 ? TrafficRouter.Serving.SOME : TrafficRouter.Serving.NONE;
    }

    /** The pods of one track: stable's selector also matches canary and baseline pods, so those are left out. */
    private List<Pod> pods(RolloutTarget target, Track track, Deployment deployment) {
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        List<Pod> pods = call("list", "", "pods", target, () -> client.pods()
                .inNamespace(target.namespace())
                .withLabels(selector)
                .list()
                .getItems());
        return pods.stream()
                .filter(pod -> {
                    String podTrack = orEmpty(pod.getMetadata().getLabels()).get(TRACK_LABEL);
                    return track != Track.STABLE
                            || !(Track.CANARY.label().equals(podTrack)
                                    || Track.BASELINE.label().equals(podTrack));
                })
                .toList();
    }

    // --- API calls, each translated into the port's errors ---

    private Optional<Deployment> get(RolloutTarget target, String name) {
        return Optional.ofNullable(call("get", "apps", "deployments", target, () -> client.apps()
                .deployments()
                .inNamespace(target.namespace())
                .withName(name)
                .get()));
    }

    private void create(RolloutTarget target, Deployment deployment) {
        call("create", "apps", "deployments", target, () -> client.apps()
                .deployments()
                .inNamespace(target.namespace())
                .resource(deployment)
                .create());
    }

    private Optional<Deployment> patch(RolloutTarget target, String name, ArrayNode jsonPatch) {
        if (jsonPatch.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(call("patch", "apps", "deployments", target, () -> client.apps()
                .deployments()
                .inNamespace(target.namespace())
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON), jsonPatch.toString())));
    }

    private void delete(RolloutTarget target, String name) {
        call("delete", "apps", "deployments", target, () -> client.apps()
                .deployments()
                .inNamespace(target.namespace())
                .withName(name)
                .delete());
    }

    private <T> T call(String verb, String group, String resource, RolloutTarget target, Supplier<T> request) {
        return ApiRequests.call(client, verb, group, resource, target.namespace(), target, request);
    }

    // --- small helpers ---

    private static Set<ApiCall> union(Set<ApiCall> a, Set<ApiCall> b) {
        Set<ApiCall> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return java.util.Collections.unmodifiableSet(all);
    }

    private static int containerIndex(RolloutTarget target, Deployment deployment) {
        List<Container> containers =
                deployment.getSpec().getTemplate().getSpec().getContainers();
        for (int i = 0; i < containers.size(); i++) {
            if (target.container().equals(containers.get(i).getName())) {
                return i;
            }
        }
        throw new StableNotFound("Deployment " + target.namespace() + "/"
                + deployment.getMetadata().getName()
                + " has no container '" + target.container() + "' (it has "
                + containers.stream().map(Container::getName).toList()
                + "): check the service's container in harbormaster.yml");
    }

    private static Optional<Container> container(RolloutTarget target, Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> target.container().equals(c.getName()))
                .findFirst();
    }

    private static String imageOf(RolloutTarget target, Deployment deployment) {
        return deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(containerIndex(target, deployment))
                .getImage();
    }

    /** A Deployment without {@code replicas} has one (the API server's default). */
    private static int replicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static DeploymentStatus status(Deployment deployment) {
        return deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
    }

    private static Optional<String> annotation(Deployment deployment, String key) {
        return Optional.ofNullable(
                orEmpty(deployment.getMetadata().getAnnotations()).get(key));
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static ObjectNode op(String op, String path) {
        return JSON.objectNode().put("op", op).put("path", path);
    }

    /** A map key as one JSON Pointer segment (RFC 6901). */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private com.fasterxml.jackson.databind.JsonNode toJson(Object value) {
        try {
            return CANONICAL.readTree(client.getKubernetesSerialization().asJson(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    /** A digest of what canary or baseline should be, key order ignored, to tell "up to date" without diffing. */
    private String hash(Map<String, String> labels, LabelSelector selector, PodTemplateSpec template) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("labels", labels);
        spec.put("selector", selector);
        spec.put("template", template);
        return digest(client, spec);
    }

    /** A digest of {@code spec} as the API would have it in JSON, key order ignored. */
    static String digest(KubernetesClient client, Object spec) {
        try {
            Object tree =
                    CANONICAL.readValue(client.getKubernetesSerialization().asJson(spec), Object.class);
            byte[] canonical = CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + spec, e);
        }
    }
}

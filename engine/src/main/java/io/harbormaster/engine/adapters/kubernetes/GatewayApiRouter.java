package io.harbormaster.engine.adapters.kubernetes;

import static io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster.MANAGED_BY;
import static io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster.MANAGED_BY_LABEL;
import static io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster.SPEC_HASH;
import static io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster.TRACK_LABEL;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.engine.rollout.TrafficSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Divides a rollout's traffic by the weights of a Gateway API HTTPRoute. Canary and baseline get Services of their own,
 * {@code <service>-canary} and {@code <service>-baseline}: the stable Service's ports, its selector narrowed to the
 * track's pods by {@code track}. Every rule of the route that sends to the stable Service then sends the step's weight
 * to each of them and the rest to the stable Service; on reset it sends to the stable Service alone again (weight 100)
 * and the track Services go.
 *
 * <p>The stable Service must select the stable pods only ({@code track: stable} in its selector and in the stable pod
 * template's labels): one that also selected canary and baseline pods would pass part of its own share on to them, and
 * the weights would not hold. A rule that sends to other backends as well is refused rather than changed, since
 * resetting it could not know their weights. Every change is a create, a delete or a JSON Patch whose {@code test}s
 * guard the entries it changes, made only when the route differs from what is asked; a patch whose test fails (the
 * route changed since it was read) is read and made again.
 *
 * <p>A route in another namespace than the Service may send to it only as a ReferenceGrant in the Service's namespace
 * allows; the gateway refuses other backends (its status says {@code ResolvedRefs: False}, and the share they were to
 * get fails with 500). Both are checked before a canary: the grants must allow the canary's and the baseline's Service
 * as well as the stable one, and the route must not already report unresolved backends. During the canary, a route
 * whose status reports them unresolved for its current generation is refused, and the canary with it.
 *
 * <p>Each step's tick reads the route, so that weights someone else changed are set again and the gateway's status is
 * seen, but the Services only when the route is to change, or changed since the router last found it in order
 * ({@link Checked}).
 */
final class GatewayApiRouter implements TrafficRouter {
    static final String GROUP = "gateway.networking.k8s.io";

    /** Every API request this router makes, as RBAC names it (on top of {@link Fabric8Cluster}'s own). */
    static final Set<ApiCall> API_CALLS = Set.of(
            new ApiCall("get", GROUP, "httproutes"),
            new ApiCall("patch", GROUP, "httproutes"),
            new ApiCall("list", GROUP, "referencegrants"),
            new ApiCall("get", "", "services"),
            new ApiCall("create", "", "services"),
            new ApiCall("delete", "", "services"));

    /** On a track Service: the stable Service it was made from (a Service without it is never changed or deleted). */
    static final String STABLE_SERVICE = "harbormaster.io/stable-service";

    /** The stable Service's weight once canary and baseline are gone: alone in its rule, any weight above 0 is all. */
    static final int ALL = 100;

    /** The route condition that says whether the gateway could resolve every backend of the route. */
    static final String RESOLVED_REFS = "ResolvedRefs";

    private static final int ATTEMPTS = 3;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesClient client;
    private final GatewayRoute route;
    private final Checked checked;

    GatewayApiRouter(KubernetesClient client, GatewayRoute route, Checked checked) {
        this.client = Objects.requireNonNull(client, "client");
        this.route = Objects.requireNonNull(route, "route");
        this.checked = Objects.requireNonNull(checked, "checked");
    }

    /**
     * The route's {@code resourceVersion} when a router last found, at a tick, the route as asked and the track
     * Services in order, per rollout target and route; kept by the {@link Fabric8Cluster} (one per engine), forgotten
     * when the route is reset. The same version at the next tick means nobody has written the route since (its spec
     * nor its status), so the Services need not be read again until a step changes the weights. What this misses is
     * a change to the Services alone: the stable Service's ports are taken up at the next step; a track Service
     * deleted by hand makes the gateway report its backend unresolved in the route's status, a write of the route, so
     * the next tick reads the Services and makes it again (and judges that status at the tick after, which gives the
     * gateway one interval to see the Service back).
     */
    static final class Checked {
        private final ConcurrentMap<String, String> versions = new ConcurrentHashMap<>();

        private static String key(RolloutTarget target, GatewayRoute route) {
            return target.namespace() + "/" + target.deployment() + " " + route;
        }

        boolean unchanged(RolloutTarget target, GatewayRoute route, HTTPRoute current) {
            String version = current.getMetadata().getResourceVersion();
            return version != null && version.equals(versions.get(key(target, route)));
        }

        void remember(RolloutTarget target, GatewayRoute route, HTTPRoute current) {
            String version = current.getMetadata().getResourceVersion();
            if (version == null) {
                forget(target, route);
            } else {
                versions.put(key(target, route), version);
            }
        }

        void forget(RolloutTarget target, GatewayRoute route) {
            versions.remove(key(target, route));
        }
    }

    GatewayRoute route() {
        return route;
    }

    @Override
    public TrafficSplit split() {
        return TrafficSplit.ROUTE_WEIGHTS;
    }

    @Override
    public void check(RolloutTarget target, Map<String, String> stablePodLabels) {
        Service stable = requireStableService(target);
        Map<String, String> selector = selector(target, stable);
        if (!selects(selector, stablePodLabels)) {
            throw new ClusterRefused("Service " + where(target, route.service()) + " (selector " + selector
                    + ") does not select the pods of Deployment " + where(target, target.deployment()) + " (labels "
                    + stablePodLabels + "): check traffic.gateway_api.service in harbormaster.yml");
        }
        Map<String, String> canaryPod = new LinkedHashMap<>(stablePodLabels);
        canaryPod.put(TRACK_LABEL, Track.CANARY.label());
        if (selects(selector, canaryPod)) {
            throw new ClusterRefused("Service " + where(target, route.service()) + " (selector " + selector
                    + ") would also select the canary's and the baseline's pods, which carry the stable pods' labels,"
                    + " so part of its share would reach them and the route's weights would not hold: add the label "
                    + TRACK_LABEL + ": " + Track.STABLE.label() + " to the pod template of Deployment "
                    + where(target, target.deployment()) + " and to the Service's selector (Harbormaster labels"
                    + " canary and baseline pods " + TRACK_LABEL + ": canary and " + TRACK_LABEL + ": baseline)");
        }
        if (stable.getSpec().getPorts() == null || stable.getSpec().getPorts().isEmpty()) {
            throw new ClusterRefused("Service " + where(target, route.service()) + " has no ports, so a route cannot"
                    + " send to it: name the Service the route's backends name in traffic.gateway_api.service");
        }
        HTTPRoute current = getRoute(target).orElseThrow(() -> noRoute(target));
        for (Rule rule : rules(target, current, true)) {
            if (!rule.split() && rule.weight(rule.stable()) == 0) {
                throw new ClusterRefused("Rule " + rule.index() + " of " + routeName() + " sends to Service "
                        + route.service() + " with weight 0, that is no traffic: give it a weight before canaries"
                        + " divide it");
            }
        }
        Optional<String> unresolved = unresolved(current);
        if (unresolved.isPresent()) {
            throw new ClusterRefused(routeName() + " has backends its gateway does not send to: " + unresolved.get()
                    + ". Fix them first (a missing Service, or one in another namespace without a ReferenceGrant):"
                    + " once the canary's and the baseline's backends are in the route, Harbormaster reads this"
                    + " status to see that the gateway sends to them, and could not tell this refusal from theirs");
        }
        requireGrants(target);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads the route; reads and makes the track Services only when the route is to change (a new step, a weight
     * someone else changed) or changed since this engine last found it in order ({@link Checked}); refuses a route
     * whose gateway reports the backends it has now unresolved; then patches it if it differs from what is asked.
     */
    @Override
    public void route(RolloutTarget target, ReplicaPlan plan, Serving serving) {
        if (plan.split() != TrafficSplit.ROUTE_WEIGHTS) {
            throw new IllegalArgumentException(
                    "a plan by " + plan.split().configName() + " for a rollout divided by " + routeName());
        }
        for (int attempt = 1; ; attempt++) {
            HTTPRoute current = getRoute(target).orElseThrow(() -> noRoute(target));
            List<Rule> rules = rules(target, current, true);
            int weight =
                    switch (serving) {
                        case ALL -> plan.routeWeight();
                        case SOME ->
                            Math.min(
                                    plan.routeWeight(),
                                    rules.stream()
                                            .mapToInt(Rule::trackWeight)
                                            .min()
                                            .orElse(0));
                        case NONE -> 0;
                    };
            ArrayNode patch = JSON.arrayNode();
            rules.forEach(rule -> rule.split(weight, patch));
            boolean recreated = false;
            if (!patch.isEmpty() || !checked.unchanged(target, route, current)) {
                // the backends added must have their Services before the route sends to them
                Service stable = requireStableService(target);
                recreated = ensureTrackService(target, stable, Track.CANARY)
                        | ensureTrackService(target, stable, Track.BASELINE);
            }
            if (!recreated && rules.stream().anyMatch(Rule::split)) {
                // a Service made again just now may be what the status is about: it is read again at the next tick
                requireResolved(target, current);
            }
            if (patch.isEmpty()) {
                checked.remember(target, route, current);
                return;
            }
            try {
                checked.remember(target, route, patch(target, patch));
                return;
            } catch (ClusterRefused e) {
                checked.forget(target, route);
                if (!ApiRequests.unprocessable(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void reset(RolloutTarget target) {
        checked.forget(target, route);
        // a route that is gone sends nothing to the track Services; they go all the same
        patchRoute(target, false, current -> {
            ArrayNode patch = JSON.arrayNode();
            rules(target, current, false).forEach(rule -> rule.unsplit(patch));
            return patch;
        });
        deleteTrackService(target, Track.CANARY);
        deleteTrackService(target, Track.BASELINE);
    }

    @Override
    public boolean divided(RolloutTarget target) {
        return getRoute(target)
                .map(current -> rules(target, current, false).stream().anyMatch(Rule::split))
                .orElse(false);
    }

    @Override
    public String toString() {
        return routeName() + " weights";
    }

    // --- the route ---

    /** One rule of the route that sends to the stable Service, and where the three tracks' backends are in it. */
    private record Rule(
            int index,
            List<HTTPBackendRef> refs,
            int stable,
            int canary,
            int baseline,
            String service,
            ObjectNode copy) {
        /** Whether canary or baseline backends are in it (the rule is divided now). */
        boolean split() {
            return canary >= 0 || baseline >= 0;
        }

        /** The weight the rule gives canary and baseline now: the smaller, 0 for one that is not there. */
        int trackWeight() {
            return Math.min(canary < 0 ? 0 : weight(canary), baseline < 0 ? 0 : weight(baseline));
        }

        int weight(int ref) {
            Integer w = refs.get(ref).getWeight();
            return w == null ? 1 : w; // the API's default
        }

        /** Adds to {@code patch} what gives canary and baseline {@code weight} each and the stable the rest. */
        void split(int weight, ArrayNode patch) {
            setWeight(stable, 100 - 2 * weight, patch);
            addOrSet(canary, service + "-" + Track.CANARY.label(), weight, patch);
            addOrSet(baseline, service + "-" + Track.BASELINE.label(), weight, patch);
        }

        /** Adds to {@code patch} what removes canary and baseline and leaves the stable Service all the traffic. */
        void unsplit(ArrayNode patch) {
            List<Integer> ours = new ArrayList<>();
            if (canary >= 0) {
                ours.add(canary);
            }
            if (baseline >= 0) {
                ours.add(baseline);
            }
            if (ours.isEmpty()) {
                return;
            }
            ours.sort(java.util.Comparator.reverseOrder()); // the later entry first, so the earlier keeps its index
            for (int ref : ours) {
                patch.add(test(ref));
                patch.add(op("remove", path(ref)));
            }
            if (refs.size() - ours.size() == 1) {
                int moved = stable - (int) ours.stream().filter(r -> r < stable).count();
                if (weight(stable) != ALL) {
                    patch.add(op("test", path(moved) + "/name").put("value", service));
                    patch.add(op("add", path(moved) + "/weight").put("value", ALL));
                }
            }
        }

        private void setWeight(int ref, int weight, ArrayNode patch) {
            if (refs.get(ref).getWeight() == null || weight(ref) != weight) {
                patch.add(test(ref));
                patch.add(op("add", path(ref) + "/weight").put("value", weight));
            }
        }

        private void addOrSet(int ref, String name, int weight, ArrayNode patch) {
            if (ref >= 0) {
                setWeight(ref, weight, patch);
                return;
            }
            ObjectNode added = copy.deepCopy();
            added.put("name", name);
            added.put("weight", weight);
            patch.add(op("add", "/spec/rules/" + index + "/backendRefs/-").set("value", added));
        }

        private ObjectNode test(int ref) {
            return op("test", path(ref) + "/name").put("value", refs.get(ref).getName());
        }

        private String path(int ref) {
            return "/spec/rules/" + index + "/backendRefs/" + ref;
        }
    }

    /**
     * The rules of the route that send to the stable Service. {@code strict}: refuses a route without one, or with
     * one that also sends to other backends (else such a rule is still reset, its other backends left as they are).
     */
    private List<Rule> rules(RolloutTarget target, HTTPRoute current, boolean strict) {
        List<HTTPRouteRule> rules =
                current.getSpec() == null || current.getSpec().getRules() == null
                        ? List.of()
                        : current.getSpec().getRules();
        String canaryName = route.service() + "-" + Track.CANARY.label();
        String baselineName = route.service() + "-" + Track.BASELINE.label();
        List<Rule> out = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            List<HTTPBackendRef> refs = rules.get(i).getBackendRefs() == null
                    ? List.of()
                    : rules.get(i).getBackendRefs();
            int stable = -1;
            int canary = -1;
            int baseline = -1;
            List<String> others = new ArrayList<>();
            for (int j = 0; j < refs.size(); j++) {
                HTTPBackendRef ref = refs.get(j);
                if (refersTo(target, ref, route.service())) {
                    stable = j;
                } else if (refersTo(target, ref, canaryName)) {
                    canary = j;
                } else if (refersTo(target, ref, baselineName)) {
                    baseline = j;
                } else {
                    others.add(describe(ref));
                }
            }
            if (stable < 0) {
                others.forEach(elsewhere::add);
                continue;
            }
            if (strict && !others.isEmpty()) {
                throw new ClusterRefused("Rule " + i + " of " + routeName() + " sends to " + String.join(", ", others)
                        + " as well as to Service " + route.service() + ": Harbormaster divides only a rule whose one"
                        + " backend is the stable Service (it could not restore the others' weights); give Service "
                        + route.service() + " a rule of its own");
            }
            // canary and baseline backends are copies of the stable one (its port, namespace and filters)
            out.add(new Rule(i, refs, stable, canary, baseline, route.service(), tree(refs.get(stable))));
        }
        if (strict && out.isEmpty()) {
            throw new ClusterRefused(routeName() + " has no rule that sends to Service " + route.service()
                    + " in namespace " + target.namespace()
                    + (elsewhere.isEmpty()
                            ? " (it has no backends)"
                            : " (it sends to " + String.join(", ", elsewhere) + ")")
                    + ": check traffic.gateway_api (route, service) in harbormaster.yml");
        }
        return out;
    }

    /** Whether a backend is the Service {@code name} in the target's namespace (the route's when it names none). */
    private boolean refersTo(RolloutTarget target, HTTPBackendRef ref, String name) {
        String group = ref.getGroup() == null ? "" : ref.getGroup();
        String kind = ref.getKind() == null ? "Service" : ref.getKind();
        String namespace = ref.getNamespace() == null ? route.namespace() : ref.getNamespace();
        return group.isEmpty()
                && kind.equals("Service")
                && name.equals(ref.getName())
                && namespace.equals(target.namespace());
    }

    private String describe(HTTPBackendRef ref) {
        String kind = ref.getKind() == null ? "Service" : ref.getKind();
        String namespace = ref.getNamespace() == null ? route.namespace() : ref.getNamespace();
        return kind + " " + namespace + "/" + ref.getName();
    }

    /**
     * Reads the route and patches it with what {@code change} makes of it, again when a {@code test} failed because
     * the route changed in between. {@code required}: a missing route is an error (else there is nothing to do).
     */
    private void patchRoute(RolloutTarget target, boolean required, Function<HTTPRoute, ArrayNode> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<HTTPRoute> current = getRoute(target);
            if (current.isEmpty()) {
                if (required) {
                    throw noRoute(target);
                }
                return;
            }
            ArrayNode patch = change.apply(current.get());
            if (patch.isEmpty()) {
                return;
            }
            try {
                patch(target, patch);
                return;
            } catch (ClusterRefused e) {
                if (!ApiRequests.unprocessable(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Sends a JSON Patch of the route; answers the route as patched. */
    private HTTPRoute patch(RolloutTarget target, ArrayNode patch) {
        return ApiRequests.call(
                client, "patch", GROUP, "httproutes", route.namespace(), target, () -> client.resources(HTTPRoute.class)
                        .inNamespace(route.namespace())
                        .withName(route.route())
                        .patch(PatchContext.of(PatchType.JSON), patch.toString()));
    }

    private Optional<HTTPRoute> getRoute(RolloutTarget target) {
        return Optional.ofNullable(ApiRequests.call(
                client, "get", GROUP, "httproutes", route.namespace(), target, () -> client.resources(HTTPRoute.class)
                        .inNamespace(route.namespace())
                        .withName(route.route())
                        .get()));
    }

    private ClusterRefused noRoute(RolloutTarget target) {
        return new ClusterRefused("There is no " + routeName() + " to divide the traffic of Deployment "
                + where(target, target.deployment()) + " by: check traffic.gateway_api (route, namespace) in"
                + " harbormaster.yml, and that the cluster has the Gateway API (its CRDs, " + GROUP + "/v1)");
    }

    private String routeName() {
        return "HTTPRoute " + route.namespace() + "/" + route.route();
    }

    // --- what the gateway makes of the route ---

    /**
     * Refuses the route, during a canary, when its gateway reports backends it does not send to: the canary's and the
     * baseline's, as the check before the canary found none (a grant taken away since, a track Service deleted by
     * hand, a gateway that cannot send to their port), or another the route was given since. Either way the shares
     * the route gives them fail, and the canary is not judged on the traffic it is said to get.
     */
    private void requireResolved(RolloutTarget target, HTTPRoute current) {
        Optional<String> unresolved = unresolved(current);
        if (unresolved.isEmpty()) {
            return;
        }
        String canary = route.service() + "-" + Track.CANARY.label();
        String baseline = route.service() + "-" + Track.BASELINE.label();
        String fix = route.namespace().equals(target.namespace())
                ? "check that Services " + where(target, canary) + " and " + where(target, baseline) + " exist (they"
                        + " are made again at the next canary) and that the gateway can send to their ports"
                : "check that a ReferenceGrant in namespace " + target.namespace() + " lets HTTPRoutes of namespace "
                        + route.namespace() + " refer to Services " + route.service() + ", " + canary + " and "
                        + baseline;
        throw new ClusterRefused(routeName() + " sends part of the traffic to backends its gateway does not send to: "
                + unresolved.get() + ". The requests given to them fail, so the canary's share cannot be judged; "
                + fix);
    }

    /**
     * What the route's status says of backends its gateway could not resolve, for the route as it is now: a condition
     * {@value #RESOLVED_REFS} that is {@code False} for one of the route's own parents (not one it no longer names),
     * observed at its current generation (an older one speaks of backends it had before). A condition without an
     * observed generation cannot be placed in time and is taken as current.
     */
    private Optional<String> unresolved(HTTPRoute current) {
        if (current.getStatus() == null || current.getStatus().getParents() == null) {
            return Optional.empty();
        }
        Long generation = current.getMetadata().getGeneration();
        List<ParentReference> parents =
                current.getSpec() == null || current.getSpec().getParentRefs() == null
                        ? List.of()
                        : current.getSpec().getParentRefs();
        Set<String> ours = new java.util.HashSet<>();
        parents.forEach(p -> ours.add(parentKey(p)));
        for (RouteParentStatus parent : current.getStatus().getParents()) {
            if (parent.getParentRef() == null || !ours.contains(parentKey(parent.getParentRef()))) {
                continue;
            }
            for (Condition c : Optional.ofNullable(parent.getConditions()).orElse(List.of())) {
                boolean now = c.getObservedGeneration() == null
                        || generation == null
                        || c.getObservedGeneration() >= generation;
                if (RESOLVED_REFS.equals(c.getType()) && "False".equals(c.getStatus()) && now) {
                    return Optional.of(describe(parent.getParentRef()) + " reports " + RESOLVED_REFS + " False ("
                            + Optional.ofNullable(c.getReason()).orElse("no reason")
                            + (c.getMessage() == null || c.getMessage().isBlank() ? "" : ": " + c.getMessage())
                            + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** A parent reference with the API's defaults filled in, to tell the route's own parents in its status. */
    private String parentKey(ParentReference ref) {
        return String.join(
                "|",
                ref.getGroup() == null ? GROUP : ref.getGroup(),
                ref.getKind() == null ? "Gateway" : ref.getKind(),
                ref.getNamespace() == null ? route.namespace() : ref.getNamespace(),
                String.valueOf(ref.getName()),
                String.valueOf(ref.getSectionName()),
                String.valueOf(ref.getPort()));
    }

    private String describe(ParentReference ref) {
        return (ref.getKind() == null ? "Gateway" : ref.getKind()) + " "
                + (ref.getNamespace() == null ? route.namespace() : ref.getNamespace()) + "/" + ref.getName()
                + (ref.getSectionName() == null ? "" : " (listener " + ref.getSectionName() + ")");
    }

    /**
     * Refuses a route in another namespace than the Service unless ReferenceGrants in the Service's namespace let
     * HTTPRoutes of the route's namespace refer to the stable Service and to the canary's and the baseline's: without
     * one the gateway does not send to them (the Gateway API's rule for every reference across namespaces). Grants
     * are read as the API defines them: any {@code from} of a grant with any of its {@code to}, a {@code to} without
     * a name for every Service of the namespace.
     */
    private void requireGrants(RolloutTarget target) {
        if (route.namespace().equals(target.namespace())) {
            return;
        }
        List<ReferenceGrant> grants;
        try {
            grants = ApiRequests.call(
                    client, "list", GROUP, "referencegrants", target.namespace(), target, () -> client.resources(
                                    ReferenceGrant.class)
                            .inNamespace(target.namespace())
                            .list()
                            .getItems());
        } catch (ClusterRefused e) {
            if (e.getCause() instanceof KubernetesClientException k && k.getCode() == 404) {
                throw new ClusterRefused(
                        "The cluster has no ReferenceGrants (" + GROUP + "/v1beta1), without which " + routeName()
                                + " may not send to Services of namespace " + target.namespace() + ": install the"
                                + " Gateway API's standard CRDs (they include it), or put the route in namespace "
                                + target.namespace() + " (traffic.gateway_api.namespace in harbormaster.yml)",
                        e);
            }
            throw e;
        }
        List<String> refused = new ArrayList<>();
        for (String name : List.of(
                route.service(),
                route.service() + "-" + Track.CANARY.label(),
                route.service() + "-" + Track.BASELINE.label())) {
            if (grants.stream().noneMatch(grant -> grants(grant, name))) {
                refused.add(name);
            }
        }
        if (refused.isEmpty()) {
            return;
        }
        throw new ClusterRefused(routeName() + " is in another namespace than Service " + where(target, route.service())
                + ", and no ReferenceGrant in namespace " + target.namespace() + " lets HTTPRoutes of namespace "
                + route.namespace() + " refer to Service" + (refused.size() == 1 ? " " : "s ")
                + String.join(", ", refused) + ", so the gateway would not send to "
                + (refused.size() == 1 ? "it" : "them")
                + " (Harbormaster adds the canary's and the baseline's, " + route.service() + "-canary and "
                + route.service() + "-baseline, to the route): create a ReferenceGrant in namespace "
                + target.namespace() + " with from [{group: " + GROUP + ", kind: HTTPRoute, namespace: "
                + route.namespace() + "}] and to [{group: \"\", kind: Service}] (every Service of the namespace),"
                + " or one to entry with the name of each");
    }

    /** Whether a grant lets HTTPRoutes of the route's namespace refer to the Service {@code name}. */
    private boolean grants(ReferenceGrant grant, String name) {
        ReferenceGrantSpec spec = grant.getSpec();
        if (spec == null || spec.getFrom() == null || spec.getTo() == null) {
            return false;
        }
        boolean from = spec.getFrom().stream()
                .anyMatch(f -> GROUP.equals(f.getGroup())
                        && "HTTPRoute".equals(f.getKind())
                        && route.namespace().equals(f.getNamespace()));
        boolean to = spec.getTo().stream()
                .anyMatch(t -> (t.getGroup() == null || t.getGroup().isEmpty())
                        && "Service".equals(t.getKind())
                        && (t.getName() == null || t.getName().equals(name)));
        return from && to;
    }

    // --- the Services ---

    private Service requireStableService(RolloutTarget target) {
        return getService(target, route.service())
                .orElseThrow(() -> new ClusterRefused("There is no Service " + route.service() + " in namespace "
                        + target.namespace() + " for " + routeName() + " to send to: check traffic.gateway_api.service"
                        + " in harbormaster.yml (by default the service's deployment name)"));
    }

    private Map<String, String> selector(RolloutTarget target, Service stable) {
        Map<String, String> selector =
                stable.getSpec() == null ? null : stable.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            throw new ClusterRefused("Service " + where(target, route.service()) + " has no selector (its endpoints"
                    + " are set by hand), so no canary or baseline Service can be derived from it: name a Service"
                    + " that selects the stable pods in traffic.gateway_api.service");
        }
        return selector;
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /**
     * Creates the track's Service, or makes it again when the stable Service's ports or selector changed; answers
     * whether it did.
     */
    private boolean ensureTrackService(RolloutTarget target, Service stable, Track track) {
        Service desired = trackService(target, stable, track);
        String name = desired.getMetadata().getName();
        Optional<Service> existing = getService(target, name);
        if (existing.isPresent()) {
            if (!isOurs(existing.get())) {
                throw notOurs(target, name);
            }
            String hash = desired.getMetadata().getAnnotations().get(SPEC_HASH);
            if (hash.equals(annotations(existing.get()).get(SPEC_HASH))) {
                return false;
            }
            // ports and selector could be patched, but making it again needs no right beyond create and delete, and
            // the stable Service's ports changing during a canary is rare
            deleteService(target, name);
        }
        ApiRequests.call(client, "create", "", "services", target.namespace(), target, () -> client.services()
                .inNamespace(target.namespace())
                .resource(desired)
                .create());
        return true;
    }

    /**
     * The track's Service: the stable Service's ports and selector, narrowed by {@code track}, as a ClusterIP Service
     * (a route needs no more; a copied LoadBalancer would ask the cloud for one). It carries only Harbormaster's labels:
     * a copy of the stable Service's would make tools that track objects by label (a GitOps controller's instance
     * label) take it for theirs, and perhaps prune it.
     */
    private Service trackService(RolloutTarget target, Service stable, Track track) {
        Map<String, String> selector = new TreeMap<>(selector(target, stable));
        selector.put(TRACK_LABEL, track.label());
        List<ServicePort> ports = Optional.ofNullable(stable.getSpec().getPorts()).orElse(List.of()).stream()
                .map(p -> new ServicePortBuilder()
                        .withName(p.getName())
                        .withProtocol(p.getProtocol())
                        .withPort(p.getPort())
                        .withTargetPort(p.getTargetPort())
                        .withAppProtocol(p.getAppProtocol())
                        .build())
                .toList();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", selector);
        spec.put("ports", ports);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(TRACK_LABEL, track.label());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(STABLE_SERVICE, route.service());
        annotations.put(SPEC_HASH, Fabric8Cluster.digest(client, spec));
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(route.service() + "-" + track.label())
                .withNamespace(target.namespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /** Deletes the track's Service if it is ours; one that is not was never sent traffic to, and is left alone. */
    private void deleteTrackService(RolloutTarget target, Track track) {
        String name = route.service() + "-" + track.label();
        Optional<Service> existing = getService(target, name);
        if (existing.isPresent() && isOurs(existing.get())) {
            deleteService(target, name);
        }
    }

    private boolean isOurs(Service service) {
        Map<String, String> labels = service.getMetadata().getLabels() == null
                ? Map.of()
                : service.getMetadata().getLabels();
        return MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                && route.service().equals(annotations(service).get(STABLE_SERVICE));
    }

    private ClusterRefused notOurs(RolloutTarget target, String name) {
        return new ClusterRefused("Service " + where(target, name) + " exists but was not created by Harbormaster for"
                + " Service " + route.service() + " (no label " + MANAGED_BY_LABEL + "=" + MANAGED_BY + " and"
                + " annotation " + STABLE_SERVICE + "=" + route.service() + "): rename or remove it; Harbormaster"
                + " needs the name for the " + (name.endsWith(Track.CANARY.label()) ? "canary" : "baseline")
                + "'s Service and will not change it");
    }

    private Optional<Service> getService(RolloutTarget target, String name) {
        return Optional.ofNullable(
                ApiRequests.call(client, "get", "", "services", target.namespace(), target, () -> client.services()
                        .inNamespace(target.namespace())
                        .withName(name)
                        .get()));
    }

    private void deleteService(RolloutTarget target, String name) {
        ApiRequests.call(client, "delete", "", "services", target.namespace(), target, () -> client.services()
                .inNamespace(target.namespace())
                .withName(name)
                .delete());
    }

    private static Map<String, String> annotations(Service service) {
        return service.getMetadata().getAnnotations() == null
                ? Map.of()
                : service.getMetadata().getAnnotations();
    }

    private static String where(RolloutTarget target, String name) {
        return target.namespace() + "/" + name;
    }

    private ObjectNode tree(Object value) {
        try {
            return (ObjectNode)
                    MAPPER.readTree(client.getKubernetesSerialization().asJson(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + value + " as JSON", e);
        }
    }

    private static ObjectNode op(String op, String path) {
        return JSON.objectNode().put("op", op).put("path", path);
    }
}

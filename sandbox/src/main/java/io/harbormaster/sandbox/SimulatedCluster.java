package io.harbormaster.sandbox;

import io.harbormaster.engine.rollout.Cluster;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.Readiness;
import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutSnapshot;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.StableDeployment;
import io.harbormaster.engine.rollout.StableNotFound;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.engine.rollout.TrackDeployment;
import io.harbormaster.engine.rollout.TrafficSplit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster in memory behind the engine's {@link Cluster} port: Deployments per track whose pods are ready at once
 * (or never, for an image whose tag is marked as crashing), with every operation idempotent like the real adapter's.
 * The metrics simulator reads from it which image each track runs and how many pods it has.
 */
public final class SimulatedCluster implements Cluster {
    /** One Deployment's state. */
    public record Workload(String image, int replicas, boolean ready) {}

    private final Map<String, Map<Track, Workload>> deployments = new ConcurrentHashMap<>();
    private final Map<String, Integer> fullReplicas = new ConcurrentHashMap<>();
    private final List<String> operations = new ArrayList<>();
    private final Set<String> crashing = ConcurrentHashMap.newKeySet();
    private final Set<String> routedByWeights = ConcurrentHashMap.newKeySet();
    private final Set<String> routeDivided = ConcurrentHashMap.newKeySet();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static String key(RolloutTarget t) {
        return t.namespace() + "/" + t.deployment();
    }

    /** Creates (or replaces) a service's stable Deployment, as its first install would. */
    public synchronized void install(RolloutTarget target, String image, int replicas) {
        var tracks = new ConcurrentHashMap<Track, Workload>();
        tracks.put(Track.STABLE, new Workload(image, replicas, true));
        deployments.put(key(target), tracks);
        fullReplicas.put(key(target), replicas);
    }

    /** Restores a Deployment's tracks as {@link #all()} gave them, e.g. from a saved sandbox. */
    public synchronized void restore(RolloutTarget target, Map<Track, Workload> tracks, int fullReplicas) {
        if (!tracks.containsKey(Track.STABLE)) {
            throw new IllegalArgumentException(key(target) + " has no stable track");
        }
        deployments.put(key(target), new ConcurrentHashMap<>(tracks));
        this.fullReplicas.put(key(target), fullReplicas);
    }

    /** Every Deployment, by {@code namespace/deployment}, with its full replica count and tracks. */
    public synchronized Map<String, Installed> all() {
        var out = new java.util.TreeMap<String, Installed>();
        deployments.forEach((k, tracks) -> out.put(k, new Installed(fullReplicas.get(k), Map.copyOf(tracks))));
        return out;
    }

    /** A Deployment as {@link #all()} lists it. */
    public record Installed(int fullReplicas, Map<Track, Workload> tracks) {}

    /**
     * Says from now on that the target's traffic is divided by route weights (as the Fabric8 adapter does for a service
     * with {@code traffic.gateway_api}), so the engine sizes its tracks for them; the simulated metrics still give each
     * track its share of pods.
     */
    public synchronized void divideByRouteWeights(RolloutTarget target) {
        routedByWeights.add(key(target));
    }

    /**
     * Leaves the target's route dividing its traffic, as a rollout by route weights that did not end would: its canary
     * and baseline deleted by hand, or an engine stopped between the steps of its end. Until a promotion or a rollback
     * sends it all to the stable Deployment again.
     */
    public synchronized void leaveRouteDivided(RolloutTarget target) {
        routeDivided.add(key(target));
    }

    /** Makes pods running {@code image} crash on start from now on (or no longer, with {@code false}). */
    public synchronized void crash(String image, boolean crashes) {
        if (crashes) {
            crashing.add(image);
        } else {
            crashing.remove(image);
        }
    }

    /**
     * Runs {@code listener} after every state-changing operation, while the cluster is locked (the sandbox saves its
     * cluster then; a benchmark notes when a canary appears). Listeners must be quick.
     */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** What runs for a target now, by track. */
    public synchronized Map<Track, Workload> workloads(RolloutTarget target) {
        return Map.copyOf(deployments.getOrDefault(key(target), Map.of()));
    }

    /** Every state-changing call so far, in order (for tests). */
    public synchronized List<String> operations() {
        return List.copyOf(operations);
    }

    private Map<Track, Workload> tracks(RolloutTarget target) {
        var tracks = deployments.get(key(target));
        if (tracks == null || !tracks.containsKey(Track.STABLE)) {
            throw new StableNotFound(target.namespace() + "/" + target.deployment() + " has no stable Deployment");
        }
        return tracks;
    }

    @Override
    public synchronized StableDeployment stable(RolloutTarget target) {
        var stable = tracks(target).get(Track.STABLE);
        return new StableDeployment(
                target,
                stable.image(),
                stable.replicas(),
                fullReplicas.get(key(target)),
                Map.of("app", target.deployment()),
                routedByWeights.contains(key(target)) ? TrafficSplit.ROUTE_WEIGHTS : TrafficSplit.REPLICA_RATIO);
    }

    @Override
    public synchronized void ensureCanary(RolloutTarget target, String image, int replicas) {
        ensure(target, Track.CANARY, image, replicas);
    }

    @Override
    public synchronized void ensureBaseline(RolloutTarget target, String image, int replicas) {
        ensure(target, Track.BASELINE, image, replicas);
    }

    private void ensure(RolloutTarget target, Track track, String image, int replicas) {
        var tracks = tracks(target);
        var want = new Workload(image, replicas, !crashes(image));
        if (!want.equals(tracks.get(track))) {
            tracks.put(track, want);
            record("ensure " + track.label() + " " + image + " x" + replicas);
        }
    }

    @Override
    public synchronized void scale(RolloutTarget target, ReplicaPlan plan) {
        var tracks = tracks(target);
        if (!tracks.containsKey(Track.CANARY) || !tracks.containsKey(Track.BASELINE)) {
            throw new ClusterRefused("scale before canary and baseline exist");
        }
        scaleTrack(tracks, Track.CANARY, plan.canary());
        scaleTrack(tracks, Track.BASELINE, plan.baseline());
        scaleTrack(tracks, Track.STABLE, plan.stable());
        if (routedByWeights.contains(key(target))) {
            routeDivided.add(key(target));
        }
    }

    private void scaleTrack(Map<Track, Workload> tracks, Track track, int replicas) {
        var w = tracks.get(track);
        if (w.replicas() != replicas) {
            tracks.put(track, new Workload(w.image(), replicas, w.ready()));
            record("scale " + track.label() + " x" + replicas);
        }
    }

    @Override
    public synchronized Readiness awaitReady(RolloutTarget target, Instant deadline) {
        var tracks = tracks(target);
        for (var track : List.of(Track.CANARY, Track.BASELINE, Track.STABLE)) {
            var w = tracks.get(track);
            if (w != null && !w.ready()) {
                return new Readiness.NotReady(track.label() + " pods are crash-looping (" + w.image() + ")");
            }
        }
        return new Readiness.Ready();
    }

    @Override
    public synchronized void promote(RolloutTarget target, String image) {
        var tracks = tracks(target);
        // the stable pods of an image that crashes never get ready, as a revert to such an image would see
        tracks.put(Track.STABLE, new Workload(image, fullReplicas.get(key(target)), !crashes(image)));
        tracks.remove(Track.CANARY);
        tracks.remove(Track.BASELINE);
        routeDivided.remove(key(target));
        record("promote " + image);
    }

    @Override
    public synchronized void rollback(RolloutTarget target) {
        var tracks = tracks(target);
        var stable = tracks.get(Track.STABLE);
        tracks.put(Track.STABLE, new Workload(stable.image(), fullReplicas.get(key(target)), true));
        if (tracks.remove(Track.CANARY) != null
                | tracks.remove(Track.BASELINE) != null
                | routeDivided.remove(key(target))) {
            record("rollback");
        }
    }

    @Override
    public synchronized boolean trafficDivided(RolloutTarget target) {
        return routeDivided.contains(key(target));
    }

    @Override
    public synchronized RolloutSnapshot inspect(RolloutTarget target) {
        var tracks = tracks(target);
        return new RolloutSnapshot(
                stable(target), track(target, tracks, Track.CANARY), track(target, tracks, Track.BASELINE));
    }

    private static Optional<TrackDeployment> track(RolloutTarget target, Map<Track, Workload> tracks, Track track) {
        return Optional.ofNullable(tracks.get(track))
                .map(w -> new TrackDeployment(
                        track, target.deploymentOf(track), w.image(), w.replicas(), w.ready() ? w.replicas() : 0));
    }

    private void record(String operation) {
        operations.add(operation);
        listeners.forEach(Runnable::run);
    }

    /** Images tagged with "crashloop", or marked by {@link #crash}, never become ready, like a container that dies. */
    private boolean crashes(String image) {
        return image.contains("crashloop") || crashing.contains(image);
    }
}

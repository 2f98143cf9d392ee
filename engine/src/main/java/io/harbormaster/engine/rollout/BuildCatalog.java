package io.harbormaster.engine.rollout;

import java.util.Optional;

/** The engine's port to announced builds: a version that no build announced is an unknown change. */
public interface BuildCatalog {
    /** Records a build; announcing the same service and version again keeps the first announcement and returns it. */
    AnnouncedBuild announce(AnnouncedBuild build);

    /**
     * Puts a later announcement of the same build in the place of the one stored (its build id, CI status, change
     * metadata and time replace theirs, where the stored one names the same image and commit: a version names one
     * build, which this never changes), unless a deploy of its version is in flight: that deploy was scored, and is
     * decided on, with the announcement it read. One step, taken in the service's intake step ({@link
     * DeployStore#intake}) across every replica sharing the store, so that a deploy of the version stored at the same
     * moment either is found in flight here (and nothing is replaced) or is stored after the replacement (and reads
     * the later announcement): never stored between the look and the replacement.
     */
    Replacement replace(AnnouncedBuild build);

    Optional<AnnouncedBuild> find(String service, String version);

    /** What became of a later announcement of a build ({@link #replace}). */
    sealed interface Replacement {
        /** It took the stored announcement's place. */
        record Replaced() implements Replacement {}

        /** No announcement of the same image and commit is stored under its version: nothing changed. */
        record NoSuchBuild() implements Replacement {}

        /** {@code inFlight}, a deploy of its version, keeps the announcement it was scored with: nothing changed. */
        record KeptFor(Deploy inFlight) implements Replacement {}
    }
}

package io.harbormaster.engine.rollout;

import java.util.Optional;

/** The engine's port to announced builds: a version that no build announced is an unknown change. */
public interface BuildCatalog {
    /** Records a build; announcing the same service and version again keeps the first announcement and returns it. */
    AnnouncedBuild announce(AnnouncedBuild build);

    /**
     * Puts a later announcement of the same build in the place of the one stored: its build id, CI status, change
     * metadata and time replace theirs, where the stored one names the same image and commit (a version names one
     * build, which this never changes). Returns whether it replaced one.
     */
    boolean replace(AnnouncedBuild build);

    Optional<AnnouncedBuild> find(String service, String version);
}

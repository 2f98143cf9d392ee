package io.harbormaster.engine.rollout;

import java.util.Optional;

/** The engine's port to announced builds: a version that no build announced is an unknown change. */
public interface BuildCatalog {
    /** Records a build; announcing the same service and version again keeps the first announcement and returns it. */
    AnnouncedBuild announce(AnnouncedBuild build);

    Optional<AnnouncedBuild> find(String service, String version);
}

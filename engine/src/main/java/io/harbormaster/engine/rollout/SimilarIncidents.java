package io.harbormaster.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The past incidents an approver is shown next to a change: those of its service whose rolled-back version changed
 * what this change changes, most alike first, each saying what it shares ("also changed Cart.java"). Alike is counted
 * from what CI announced of both changes (the same version again, the same files, the same directories, the same new
 * dependencies), since that is what the store holds of every version; the text of a change is the advisor's business
 * ({@code SimilarCases}). When none shares anything, the service's latest incidents are shown instead, and said to be.
 *
 * <p>Cheap by construction: one bounded read of the service's latest incidents ({@link #COMPARED}), and one look-up of
 * the announced build per version among them.
 */
public final class SimilarIncidents {
    /** How many are shown. */
    public static final int SHOWN = 3;

    /** How many of the service's latest incidents are compared with the change. */
    public static final int COMPARED = 20;

    /** Directories that say nothing about what a change is about: a shared one alone does not make two changes alike. */
    private static final Set<String> GENERIC_DIRS =
            Set.of("src", "main", "test", "java", "kotlin", "resources", "lib", "app", "pkg", "internal", "cmd");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SimilarIncidents() {}

    /**
     * The incidents of {@code service} most like a deploy of {@code version} with the change {@code build} announced,
     * at most {@link #SHOWN}; when none is alike, its latest opened at or after {@code recentSince}, sharing nothing.
     */
    public static List<SimilarIncident> find(
            String service,
            String version,
            Optional<AnnouncedBuild> build,
            IncidentStore incidents,
            BuildCatalog builds,
            Instant recentSince) {
        var candidates = incidents.latest(service, COMPARED);
        var byVersion = new HashMap<String, Optional<AnnouncedBuild>>();
        return rank(
                version,
                build,
                candidates,
                i -> byVersion.computeIfAbsent(i.version(), v -> builds.find(service, v)),
                recentSince);
    }

    /**
     * {@code candidates} (newest first) ranked against the change: those that share something with it, most first and
     * then newest first; when none does, the newest opened at or after {@code recentSince}. {@code buildOf}: the
     * announced build of the version an incident rolled back, if CI announced it.
     */
    static List<SimilarIncident> rank(
            String version,
            Optional<AnnouncedBuild> build,
            List<Incident> candidates,
            Function<Incident, Optional<AnnouncedBuild>> buildOf,
            Instant recentSince) {
        var change = Change.of(build);
        var alike = new ArrayList<Scored>();
        for (var incident : candidates) {
            var scored = compare(version, change, incident, Change.of(buildOf.apply(incident)));
            if (scored.score() > 0) {
                alike.add(scored);
            }
        }
        if (alike.isEmpty()) {
            return candidates.stream()
                    .filter(i -> !i.openedAt().isBefore(recentSince))
                    .limit(SHOWN)
                    .map(i -> new SimilarIncident(i, List.of()))
                    .toList();
        }
        // a stable sort of candidates that come newest first keeps the newest first among equals
        alike.sort(Comparator.comparingInt(Scored::score).reversed());
        return alike.stream()
                .limit(SHOWN)
                .map(s -> new SimilarIncident(s.incident(), s.shared()))
                .toList();
    }

    private record Scored(Incident incident, int score, List<SimilarIncident.Shared> shared) {}

    /** What the same version scores: more than everything else can add up to (three files, dependencies, directories). */
    private static final int SAME_VERSION = 20;

    /**
     * What {@code incident}'s version shares with the change: the same version comes first (it was rolled back once
     * already, and shares all the rest), then each file and new dependency both changed, then each telling directory
     * both changed files in that is not the directory of a shared file already.
     */
    private static Scored compare(String version, Change change, Incident incident, Change then) {
        if (incident.version().equals(version)) {
            return new Scored(
                    incident,
                    SAME_VERSION,
                    List.of(new SimilarIncident.Shared("the same version,", List.of(version), "")));
        }
        int score = 0;
        var shared = new ArrayList<SimilarIncident.Shared>();
        var files = new ArrayList<>(change.files());
        files.retainAll(then.files());
        if (!files.isEmpty()) {
            score += 3 * Math.min(files.size(), 3);
            shared.add(some(
                    "also changed", files.stream().map(SimilarIncidents::name).toList(), "file"));
        }
        var dependencies = new ArrayList<>(change.dependencies());
        dependencies.retainAll(then.dependencies());
        if (!dependencies.isEmpty()) {
            score += 3 * Math.min(dependencies.size(), 3);
            shared.add(some("also added", dependencies, "dependency"));
        }
        var dirs = new ArrayList<>(change.dirs());
        dirs.retainAll(then.dirs());
        files.forEach(f -> dirs.remove(dir(f)));
        if (!dirs.isEmpty()) {
            score += Math.min(dirs.size(), 2);
            shared.add(some("also changed files in", dirs, "directory"));
        }
        return new Scored(incident, score, shared);
    }

    /** Up to two of {@code items}, and how many more: "also changed" Cart.java, Order.java " and 2 more files". */
    private static SimilarIncident.Shared some(String lead, List<String> items, String noun) {
        var shown = items.subList(0, Math.min(2, items.size()));
        int more = items.size() - 2;
        return new SimilarIncident.Shared(
                lead, shown, more <= 0 ? "" : " and " + more + " more " + (more == 1 ? noun : plural(noun)));
    }

    private static String plural(String noun) {
        return noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s";
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String dir(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** The files, telling directories and new dependencies a change announced. */
    private record Change(Set<String> files, Set<String> dirs, Set<String> dependencies) {
        static final Change NONE = new Change(Set.of(), Set.of(), Set.of());

        static Change of(Optional<AnnouncedBuild> build) {
            if (build.isEmpty()) {
                return NONE;
            }
            JsonNode change;
            try {
                change = JSON.readTree(build.get().changeJson());
            } catch (java.io.IOException | RuntimeException e) {
                return NONE; // refused at scoring; nothing to compare here
            }
            var files = strings(change.path("files"));
            var dirs = new LinkedHashSet<String>();
            for (var f : files) {
                var dir = dir(f);
                if (!dir.isEmpty() && !java.util.Arrays.stream(dir.split("/")).allMatch(GENERIC_DIRS::contains)) {
                    dirs.add(dir);
                }
            }
            return new Change(files, dirs, strings(change.path("dependencies")));
        }

        private static Set<String> strings(JsonNode array) {
            var out = new LinkedHashSet<String>();
            array.forEach(n -> {
                if (n.isTextual() && !n.asText().isBlank()) {
                    out.add(n.asText().strip());
                }
            });
            return out;
        }
    }
}

package io.harbormaster.engine.rollout;

import java.util.List;

/**
 * A past incident shown next to a change, with what that change shares with the version the incident rolled back
 * ({@code traits}: "also changed Cart.java", "also added payments-client"): why it is shown. Empty when it is shown as
 * one of the service's latest incidents only, because none shares anything with the change ({@link SimilarIncidents}).
 */
public record SimilarIncident(Incident incident, List<Shared> traits) {
    public SimilarIncident {
        traits = List.copyOf(traits);
    }

    /**
     * One thing shared, with the names in it apart from the words around them, so that whoever shows it can set the
     * names (files, directories, dependencies, a version: text from CI, which may hold any character) apart from the
     * words: "also changed" {@code Cart.java, Order.java} " and 2 more files".
     *
     * @param lead the words before the names
     * @param names the names, in order (two at most)
     * @param rest the words after them ("" or " and N more files")
     */
    public record Shared(String lead, List<String> names, String rest) {
        public Shared {
            names = List.copyOf(names);
        }

        /** It in words: "also changed Cart.java, Order.java and 2 more files". */
        public String words() {
            return lead + (names.isEmpty() ? "" : " " + String.join(", ", names)) + rest;
        }
    }

    /** What it shares, each in words ({@link Shared#words}). */
    public List<String> shared() {
        return traits.stream().map(Shared::words).toList();
    }

    /** Whether it is shown for what it shares with the change, rather than as one of the latest. */
    public boolean similar() {
        return !traits.isEmpty();
    }
}

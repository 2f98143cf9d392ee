package io.harbormaster.engine.policy;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Edit distance, for answering a misspelt name with the closest valid one. */
public final class Names {
    private Names() {}

    /** The Levenshtein distance between two strings. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            var t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The candidate closest to {@code name}, if one is close enough to be a likely typo. */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(c, name)).thenComparing(c -> c))
                .filter(c -> distance(c, name) <= Math.max(2, name.length() / 3));
    }
}

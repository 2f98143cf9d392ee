package io.harbormaster.engine.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Orders version strings the way people read them: numeric parts as numbers ({@code 1.10 > 1.9}), a leading
 * {@code v} ignored, and a pre-release ({@code 2.0.0-rc1}) before its release.
 */
public final class Versions {
    private Versions() {}

    /** Negative, zero or positive as {@code a} is older than, the same as, or newer than {@code b}. */
    public static int compare(String a, String b) {
        var pa = parts(a);
        var pb = parts(b);
        for (int i = 0; i < Math.max(pa.core.size(), pb.core.size()); i++) {
            long x = i < pa.core.size() ? pa.core.get(i) : 0;
            long y = i < pb.core.size() ? pb.core.get(i) : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        if (pa.pre.isEmpty() != pb.pre.isEmpty()) {
            return pa.pre.isEmpty() ? 1 : -1;
        }
        return pa.pre.compareTo(pb.pre);
    }

    /** Whether {@code version} is at least {@code minimum}. */
    public static boolean atLeast(String version, String minimum) {
        return compare(version, minimum) >= 0;
    }

    private record Parts(List<Long> core, String pre) {}

    private static Parts parts(String v) {
        var s = v.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        int dash = s.indexOf('-');
        var pre = dash >= 0 ? s.substring(dash + 1) : "";
        var core = new ArrayList<Long>();
        for (var p : (dash >= 0 ? s.substring(0, dash) : s).split("\\.")) {
            var digits = p.replaceAll("[^0-9].*$", "");
            core.add(digits.isEmpty() ? 0 : Long.parseLong(digits.length() > 18 ? digits.substring(0, 18) : digits));
        }
        return new Parts(core, pre);
    }
}

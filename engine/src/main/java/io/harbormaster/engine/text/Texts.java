package io.harbormaster.engine.text;

/** Text as messages show it. */
public final class Texts {
    private Texts() {}

    /** {@code s} at most {@code max} characters long: cut short with "…" as its last when it is longer. */
    public static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }
}

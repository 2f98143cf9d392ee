package io.harbormaster.engine.canary;

/** Which way a metric may move before it counts as a regression. */
public enum Direction {
    INCREASE,
    DECREASE,
    EITHER;

    /** Parses {@code increase|decrease|either}, case-insensitively. */
    public static Direction parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "increase" -> INCREASE;
            case "decrease" -> DECREASE;
            case "either" -> EITHER;
            default ->
                throw new IllegalArgumentException(
                        "direction must be increase, decrease or either, got '" + text + "'");
        };
    }
}

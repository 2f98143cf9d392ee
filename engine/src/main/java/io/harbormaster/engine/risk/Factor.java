package io.harbormaster.engine.risk;

/**
 * One reason a score is what it is.
 *
 * @param name the factor's short name (a metric key such as {@code la}, or a context name such as {@code
 *     criticality})
 * @param words the factor and its value, in words a reviewer understands
 * @param contribution how much it moved the log-odds of a bad deploy (positive raises risk)
 */
public record Factor(String name, String words, double contribution) {

    /** The direction and size of the contribution, in words. */
    public String effect() {
        double a = Math.abs(contribution);
        String size = a >= 0.5 ? "strongly" : a >= 0.15 ? "" : "slightly";
        String dir = contribution >= 0 ? "raises" : "lowers";
        return (size.isEmpty() ? "" : size + " ") + dir + " risk";
    }
}

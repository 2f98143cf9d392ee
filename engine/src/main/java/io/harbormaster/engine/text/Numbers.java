package io.harbormaster.engine.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Numbers in messages, short whatever their size: a few significant digits without trailing zeros ({@code 0.25},
 * {@code 98}, {@code 1.5}), in plain notation from 0.0001 to under a million and in powers of ten outside it
 * ({@code 1e+308}, {@code 2.5e-07}), where {@code %.2f} would print a 1e308 with 309 digits; and counts with their
 * noun in the right number.
 */
public final class Numbers {
    private Numbers() {}

    /** {@code v} to 4 significant digits. */
    public static String compact(double v) {
        return compact(v, 4);
    }

    /** {@code v} to {@code significant} digits (1 or more). */
    public static String compact(double v, int significant) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return "0";
        }
        var rounded = BigDecimal.valueOf(v)
                .round(new MathContext(Math.max(1, significant), RoundingMode.HALF_EVEN))
                .stripTrailingZeros();
        double size = Math.abs(rounded.doubleValue());
        if (size >= 1e-4 && size < 1e6) {
            return rounded.toPlainString();
        }
        int exponent = rounded.precision() - rounded.scale() - 1;
        var mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }

    /**
     * A risk score or threshold (0 to 100) as every message gives it, to one decimal: {@code 5.9}, {@code 71.8}, so that
     * a thread, a parent message and an approval request never show the same score to different precisions.
     */
    public static String score(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : compact(v);
    }

    /**
     * A risk factor's contribution to the log-odds as every message gives it: signed, to two decimals ({@code +0.30},
     * {@code -0.20}); a contribution that rounds to nothing reads {@code 0.00}.
     */
    public static String contribution(double v) {
        if (!Double.isFinite(v)) {
            return compact(v);
        }
        var s = String.format(Locale.ROOT, "%+.2f", v);
        return s.equals("+0.00") || s.equals("-0.00") ? "0.00" : s;
    }

    /**
     * A rate (a fraction: 0.0143) in percent to three significant digits, as every message gives a rate: {@code 1.43%},
     * {@code 0.826%}, {@code 15.2%}, {@code 0%}; a value that is not a number stays as {@link #compact} writes it.
     */
    public static String percent(double fraction) {
        return Double.isFinite(fraction) ? compact(100 * fraction, 3) + "%" : compact(fraction);
    }

    /** A count with its noun in the right number: {@code count(1, "entry", "entries")} is "1 entry". */
    public static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}

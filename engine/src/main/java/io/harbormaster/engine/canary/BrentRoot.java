package io.harbormaster.engine.canary;

import java.util.function.DoubleUnaryOperator;

/**
 * Brent's (1973) root finder in the form of the classic public-domain {@code zeroin}: bisection, secant and inverse
 * quadratic steps on a bracketing interval. R's {@code uniroot} uses this very iteration, and the Mann-Whitney
 * interval is the root of a step function, so following the same iteration is what makes our estimate land where R's
 * does (a step function can be zero on a whole interval; any point of it is "a root").
 */
final class BrentRoot {
    private static final double EPSILON = Math.ulp(1.0);
    private static final int MAX_ITERATIONS = 1000;

    private BrentRoot() {}

    /** A root of {@code f} in [lo, hi], where f(lo) and f(hi) have opposite signs (or one is zero). */
    static double solve(DoubleUnaryOperator f, double lo, double hi, double fLo, double fHi, double tolerance) {
        if (fLo == 0.0) {
            return lo;
        }
        if (fHi == 0.0) {
            return hi;
        }
        double a = lo, b = hi, fa = fLo, fb = fHi;
        double c = a, fc = fa;
        for (int iteration = 0; iteration <= MAX_ITERATIONS; iteration++) {
            double previousStep = b - a;
            if (Math.abs(fc) < Math.abs(fb)) {
                // keep b the best approximation so far
                a = b;
                b = c;
                c = a;
                fa = fb;
                fb = fc;
                fc = fa;
            }
            double actualTolerance = 2 * EPSILON * Math.abs(b) + tolerance / 2;
            double step = (c - b) / 2;
            if (Math.abs(step) <= actualTolerance || fb == 0.0) {
                return b;
            }
            if (Math.abs(previousStep) >= actualTolerance && Math.abs(fa) > Math.abs(fb)) {
                double p;
                double q;
                double cb = c - b;
                if (a == c) { // two distinct points: secant
                    double t1 = fb / fa;
                    p = cb * t1;
                    q = 1.0 - t1;
                } else { // three points: inverse quadratic interpolation
                    double qa = fa / fc;
                    double t1 = fb / fc;
                    double t2 = fb / fa;
                    p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1.0));
                    q = (qa - 1.0) * (t1 - 1.0) * (t2 - 1.0);
                }
                if (p > 0) {
                    q = -q;
                } else {
                    p = -p;
                }
                // accept the interpolation only if it stays inside [b, c] and shrinks fast enough
                if (p < (0.75 * cb * q - Math.abs(actualTolerance * q) / 2) && p < Math.abs(previousStep * q / 2)) {
                    step = p / q;
                }
            }
            if (Math.abs(step) < actualTolerance) {
                step = step > 0 ? actualTolerance : -actualTolerance;
            }
            a = b;
            fa = fb;
            b += step;
            fb = f.applyAsDouble(b);
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
                c = a;
                fc = fa;
            }
        }
        return b;
    }
}

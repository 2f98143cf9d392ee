package io.harbormaster.engine.canary;

import java.util.List;

/** The analysis' answer after an interval: promote, roll back, pause for a human, or keep going. */
public sealed interface Verdict {
    /** Seconds after the canary started at which the verdict was reached (the end of the interval). */
    long at();

    /** Every piece of evidence behind the verdict, the deciding one first. */
    List<Evidence> evidence();

    /** The canary passed every step: give it all the traffic. */
    record Promote(long at, List<Evidence> evidence) implements Verdict {}

    /** The canary regressed: take it out. The first evidence is the rule that fired. */
    record Rollback(long at, List<Evidence> evidence) implements Verdict {}

    /** The analysis cannot decide safely (no data for too long, judges disagree): ask a human. */
    record Pause(long at, List<Evidence> evidence) implements Verdict {}

    /** Keep observing; {@code weight} is the traffic percentage the canary should have from now on. */
    record Continue(long at, int weight, List<Evidence> evidence) implements Verdict {}
}

package io.harbormaster.engine.risk;

import io.harbormaster.engine.policy.Criticality;
import io.harbormaster.engine.text.Numbers;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the deploy context moves the log-odds of a bad deploy. Public change data has no deploy context, so these
 * weights are a stated prior, not learned: they are configurable, shown as factors, and zero for a neutral context (a
 * medium service with a quiet history, on a weekday in working hours), which is how the threshold was set.
 *
 * @param criticality the shift for each criticality
 * @param perRecentRollback the shift per recent rollback of the service (counted up to {@code maxCounted})
 * @param perRecentIncident the shift per recent incident of the service (counted up to {@code maxCounted})
 * @param maxCounted the most rollbacks or incidents counted
 * @param perDoublingOfDependents the shift per doubling of the number of dependent services
 * @param outsideWorkingHours the shift for a deploy before 9:00 or from 18:00 on
 * @param fridayAfternoonOrWeekend the shift for a deploy on Friday from 15:00 on, or at the weekend
 */
public record ContextPrior(
        Map<Criticality, Double> criticality,
        double perRecentRollback,
        double perRecentIncident,
        int maxCounted,
        double perDoublingOfDependents,
        double outsideWorkingHours,
        double fridayAfternoonOrWeekend) {

    public ContextPrior {
        criticality = Map.copyOf(criticality);
    }

    /** The shipped prior. */
    public static ContextPrior defaults() {
        return new ContextPrior(
                Map.of(
                        Criticality.LOW,
                        -0.3,
                        Criticality.MEDIUM,
                        0.0,
                        Criticality.HIGH,
                        0.3,
                        Criticality.CRITICAL,
                        0.6),
                0.35,
                0.35,
                3,
                0.1,
                0.3,
                0.4);
    }

    /** The context's factors; those that do not move the score are left out. */
    public List<Factor> factors(DeployContext c) {
        var out = new ArrayList<Factor>();
        double crit = criticality.getOrDefault(c.criticality(), 0.0);
        add(
                out,
                "criticality",
                "service criticality is " + c.criticality().name().toLowerCase(Locale.ROOT),
                crit);
        add(
                out,
                "recent_rollbacks",
                Numbers.count(c.recentRollbacks(), "recent rollback", "recent rollbacks") + " of the service",
                perRecentRollback * Math.min(c.recentRollbacks(), maxCounted));
        add(
                out,
                "recent_incidents",
                Numbers.count(c.recentIncidents(), "recent incident", "recent incidents") + " of the service",
                perRecentIncident * Math.min(c.recentIncidents(), maxCounted));
        add(
                out,
                "dependents",
                Numbers.count(c.dependents(), "dependent service", "dependent services"),
                perDoublingOfDependents * Math.log(1 + c.dependents()) / Math.log(2));
        boolean weekend = c.dayOfWeek() == DayOfWeek.SATURDAY || c.dayOfWeek() == DayOfWeek.SUNDAY;
        boolean fridayAfternoon = c.dayOfWeek() == DayOfWeek.FRIDAY && c.hour() >= 15;
        var when = c.dayOfWeek().name().charAt(0)
                + c.dayOfWeek().name().substring(1).toLowerCase(Locale.ROOT) + " " + c.hour() + ":00 local time";
        if (weekend || fridayAfternoon) {
            add(out, "time", when + (weekend ? " (weekend)" : " (Friday afternoon)"), fridayAfternoonOrWeekend);
        }
        if (!weekend && (c.hour() < 9 || c.hour() >= 18)) {
            add(out, "hours", when + " (outside working hours)", outsideWorkingHours);
        }
        return out;
    }

    private static void add(List<Factor> out, String name, String words, double contribution) {
        if (contribution != 0) {
            out.add(new Factor(name, words, contribution));
        }
    }
}

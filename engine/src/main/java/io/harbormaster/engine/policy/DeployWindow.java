package io.harbormaster.engine.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;

/** When a service may be deployed: some days of the week, between two local times, in a time zone. */
public record DeployWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {
    public DeployWindow {
        days = Set.copyOf(days);
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a deploy window needs at least one day");
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("a deploy window must start (" + from + ") before it ends (" + to + ")");
        }
    }

    /** Whether {@code at} falls inside this window. */
    public boolean contains(Instant at) {
        var local = at.atZone(zone);
        var time = local.toLocalTime();
        return days.contains(local.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
    }
}

package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.Optional;

/** A change freeze over a period, for one service or (service empty) for all. */
public record Freeze(
        long id, Optional<String> service, Instant startsAt, Instant endsAt, String reason, String createdBy) {
    public boolean covers(String svc, Instant at) {
        return service.map(svc::equals).orElse(true) && !at.isBefore(startsAt) && at.isBefore(endsAt);
    }
}

package io.harbormaster.engine.intake;

import java.util.Locale;
import java.util.Optional;

/** What CI says about the build: anything but {@link #SUCCESS} always escalates a deploy. */
public enum CiStatus {
    SUCCESS,
    FAILED,
    RUNNING,
    UNKNOWN;

    /** The name on the wire: {@code success}, {@code failed}, {@code running}, {@code unknown}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status with this wire name, exactly (lower case). */
    public static Optional<CiStatus> fromWire(String text) {
        for (CiStatus status : values()) {
            if (status.wire().equals(text)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}

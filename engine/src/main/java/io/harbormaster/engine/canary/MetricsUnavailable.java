package io.harbormaster.engine.canary;

/** The metrics store could not answer; the message says which store, which query and why. */
public class MetricsUnavailable extends RuntimeException {
    public MetricsUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    public MetricsUnavailable(String message) {
        super(message);
    }
}

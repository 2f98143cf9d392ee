package io.harbormaster.engine.intake;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The engine's port for CI deploy requests, fed by the Kafka consumer, the in-process intake queue and the HTTP API.
 * The engine announces the build and, when asked, stores the deploy request; it must be idempotent by
 * {@code idempotencyKey} (transports deliver at least once) and callable from several threads at once for different
 * services. A thrown exception means "could not decide now" and is retried; a request the engine will not act on is
 * answered with {@link Outcome.Refused}, not an exception.
 */
public interface DeployRequestHandler {

    Outcome handle(CiDeployRequest request, String idempotencyKey);

    /** What the engine did with a request. */
    sealed interface Outcome {

        /** The build was announced; {@code deployId} is the deploy created for it when CI asked for one. */
        record Accepted(OptionalLong deployId) implements Outcome {
            public Accepted {
                Objects.requireNonNull(deployId, "deployId");
            }
        }

        /** A request with the same idempotency key was handled before; nothing new happened. */
        record Duplicate(OptionalLong deployId) implements Outcome {
            public Duplicate {
                Objects.requireNonNull(deployId, "deployId");
            }
        }

        /** The request is well-formed but the engine will not act on it (unknown service, locked, ...). */
        record Refused(String reason) implements Outcome {
            public Refused {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}

package io.harbormaster.engine.intake;

import io.harbormaster.engine.rollout.DeployState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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

        /**
         * What the sender should hear about although the request was taken: a later announcement of a build that was
         * not applied, and why. Said in the HTTP answer's {@code warnings} and in the log.
         */
        default List<String> warnings() {
            return List.of();
        }

        /** The build was announced; {@code deployId} is the deploy created for it when CI asked for one. */
        record Accepted(OptionalLong deployId, List<String> warnings) implements Outcome {
            public Accepted {
                Objects.requireNonNull(deployId, "deployId");
                warnings = List.copyOf(warnings);
            }

            public Accepted(OptionalLong deployId) {
                this(deployId, List.of());
            }
        }

        /**
         * The request was handled before (the same idempotency key, or the same announcement again): nothing new
         * happened. {@code deploy} is where the deploy it names stands now, when it names one.
         */
        record Duplicate(OptionalLong deployId, Optional<Standing> deploy, List<String> warnings) implements Outcome {
            public Duplicate {
                Objects.requireNonNull(deployId, "deployId");
                Objects.requireNonNull(deploy, "deploy");
                warnings = List.copyOf(warnings);
            }

            public Duplicate(OptionalLong deployId) {
                this(deployId, Optional.empty(), List.of());
            }
        }

        /** The request is well-formed but the engine will not act on it (unknown service, locked, ...). */
        record Refused(String reason) implements Outcome {
            public Refused {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /**
     * Where a deploy stands, for the sender of a request that repeats it: a CI retry of a deploy that failed must not
     * read as if it were on its way.
     *
     * @param state its state now
     * @param reason the reason of its latest move: for an ended deploy, what ended it
     */
    record Standing(DeployState state, String reason) {
        public Standing {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }

        /** Whether nothing more will happen to it. */
        public boolean ended() {
            return state.terminal();
        }
    }
}

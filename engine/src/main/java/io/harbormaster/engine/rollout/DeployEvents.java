package io.harbormaster.engine.rollout;

import java.util.concurrent.CompletionStage;

/**
 * The engine's port to other systems: every state transition of every deploy is published here, in order per
 * service. Kafka's {@code deploy.events} in production, an in-process bus in the sandbox.
 *
 * <p>With Kafka the pipeline's port is an {@link EventRelay}: the store records each event in the transaction of its
 * change, and the relay sends it to the Kafka transport (retrying until the brokers acknowledge it, at least once).
 */
public interface DeployEvents {

    /**
     * Hands one event to the transport without blocking the caller. The stage completes when the transport has it
     * (Kafka: acknowledged by all in-sync replicas; in-process: delivered to every subscriber) and completes
     * exceptionally when it could not be published; this method itself does not throw for transport failures.
     */
    CompletionStage<Void> publish(DeployEvent event);
}

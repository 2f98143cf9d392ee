package io.harbormaster.engine.rollout;

/**
 * The engine's port to the humans around a deploy (Slack in production, the sandbox console locally). Implementations
 * must not block the rollout or throw into it: a notice that cannot be delivered is logged and counted, and the
 * rollout goes on.
 */
public interface Notifier {
    void notify(DeployNotice notice);

    /** A notifier that tells no one (tests, and commands without a front end). */
    Notifier NONE = notice -> {};
}

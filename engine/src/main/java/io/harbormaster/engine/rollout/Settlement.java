package io.harbormaster.engine.rollout;

/** Where the decisions on an escalated deploy take it ({@link DeployState#APPROVED} or REJECTED), and why. */
public record Settlement(DeployState to, String reason) {}

package io.harbormaster.engine.rollout;

import java.time.Instant;

/**
 * A person's review of an emergency deploy after the fact: the deploy skipped the approval wait, and {@code reviewer}
 * (a member of its service's approver group, neither its requester nor the change's author) looked at it afterwards.
 */
public record Review(long deployId, String reviewer, Instant reviewedAt) {}

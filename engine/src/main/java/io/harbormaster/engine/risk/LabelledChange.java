package io.harbormaster.engine.risk;

import java.time.Instant;

/**
 * One past deploy with its outcome, for retraining from the bot's own history.
 *
 * @param metrics the change metrics CI announced for it
 * @param context the deploy context at the time
 * @param failed whether it was rolled back or caused an incident
 * @param deployedAt when it was deployed
 */
public record LabelledChange(ChangeMetrics metrics, DeployContext context, boolean failed, Instant deployedAt) {}

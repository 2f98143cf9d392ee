package io.harbormaster.engine.risk;

/**
 * The score at or above which a deploy needs a human, set so that {@code targetRate} of the training changes reach
 * it.
 *
 * @param targetRate the share of changes meant to escalate (0.11 by default)
 * @param score the threshold on the 0..100 scale
 * @param logit the same threshold in log-odds (what the comparison uses, so that rounding never decides)
 * @param trainingRate the share of training changes that actually reach it (ties can make it differ slightly)
 */
public record Threshold(double targetRate, double score, double logit, double trainingRate) {}

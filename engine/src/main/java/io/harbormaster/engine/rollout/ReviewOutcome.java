package io.harbormaster.engine.rollout;

/**
 * What became of a review handed to {@link DeployStore#recordReview}: taken one at a time per deploy, across every
 * replica, so that of two clicks at once exactly one is recorded and audited.
 */
public sealed interface ReviewOutcome {
    /** Recorded; {@code deploy} is the deploy as it was reviewed. */
    record Recorded(Review review, Deploy deploy) implements ReviewOutcome {}

    /** Someone reviewed the deploy before (a double click, maybe on another replica): that first review stands. */
    record AlreadyReviewed(Review first) implements ReviewOutcome {}

    /** The deploy is not one to review (not an emergency deploy, or not ended yet): nothing was recorded. */
    record NotReviewable(Deploy deploy) implements ReviewOutcome {}
}

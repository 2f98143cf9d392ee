package io.harbormaster.engine.rollout;

/** The answer to a person's review of an emergency deploy: recorded, done before, refused, or not a deploy to review. */
public sealed interface ReviewDecision {
    /** The review was audited and recorded; {@code deploy} is the deploy it reviews. */
    record Recorded(Review review, Deploy deploy) implements ReviewDecision {}

    /** The deploy was reviewed before (by this person or another): that review stands, nothing new was recorded. */
    record AlreadyReviewed(Review first, Deploy deploy) implements ReviewDecision {}

    /** The person may not review this deploy; the reason (who may) is shown to them only, and audited. */
    record Refused(String reason) implements ReviewDecision {}

    /** There is nothing to review: no such deploy, not an emergency deploy, or one that has not ended yet. */
    record NotReviewable(String reason) implements ReviewDecision {}
}

package io.harbormaster.engine.risk;

/**
 * What training may be told.
 *
 * @param targetRate the share of changes that should escalate on score alone (sets the threshold)
 * @param validationShare the most recent share of the rows held out to choose the tree count and the blend
 * @param l2 the ridge penalty of the logistic part
 * @param recencyHalfLifeYears how fast older changes lose weight: a change this many years older than the newest
 *     counts half (infinite: every change counts the same); projects drift, so recent changes say more
 * @param trees the boosted-trees settings (their tree count is the most tried)
 * @param context the deploy-context prior stored with the model
 */
public record TrainingOptions(
        double targetRate,
        double validationShare,
        double l2,
        double recencyHalfLifeYears,
        BoostedTreesTrainer.Settings trees,
        ContextPrior context) {

    /** The half-life chosen on the ApacheJIT validation slice. */
    public static final double HALF_LIFE_YEARS = 1.0;

    public TrainingOptions {
        if (!(recencyHalfLifeYears > 0)) {
            throw new IllegalArgumentException("the recency half-life must be positive, not " + recencyHalfLifeYears);
        }
        if (!(targetRate > 0 && targetRate < 1)) {
            throw new IllegalArgumentException("the target escalation rate must be between 0 and 1, not " + targetRate);
        }
        if (!(validationShare > 0 && validationShare < 1)) {
            throw new IllegalArgumentException("the validation share must be between 0 and 1, not " + validationShare);
        }
    }

    /** The defaults: 11% escalation, the last 20% for validation. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(
                0.11, 0.2, 1e-3, HALF_LIFE_YEARS, BoostedTreesTrainer.Settings.defaults(), ContextPrior.defaults());
    }

    /** The same options with another target escalation rate. */
    public TrainingOptions withTargetRate(double rate) {
        return new TrainingOptions(rate, validationShare, l2, recencyHalfLifeYears, trees, context);
    }

    /** The same options with another recency half-life. */
    public TrainingOptions withRecencyHalfLife(double years) {
        return new TrainingOptions(targetRate, validationShare, l2, years, trees, context);
    }
}

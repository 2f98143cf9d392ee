package io.harbormaster.bot.cli;

import io.harbormaster.engine.risk.TrainingOptions;
import picocli.CommandLine.Option;

/** The {@code --target-rate SHARE} option shared by the commands that train a risk model. */
final class TargetRateOption {
    @Option(
            names = "--target-rate",
            defaultValue = "0.11",
            paramLabel = "SHARE",
            description = "share of changes to escalate on score alone (default: ${DEFAULT-VALUE})")
    double targetRate;

    /** The training options for this rate; refuses a rate that is not a share between 0 and 1. */
    TrainingOptions trainingOptions() {
        if (!(targetRate > 0 && targetRate < 1)) {
            throw new UserError("--target-rate " + targetRate + " must be a share between 0 and 1, such as 0.11");
        }
        return TrainingOptions.defaults().withTargetRate(targetRate);
    }
}

package io.harbormaster.engine.risk;

import java.util.List;
import java.util.Map;

/**
 * How a model was trained, stored with it so that every decision can say where its model came from.
 *
 * @param source the data set (file name, or the deploy history)
 * @param rows labelled changes used
 * @param positives bad changes among them
 * @param validationRows the most recent rows held out to choose the tunables (then refitted on everything)
 * @param validationAuc area under the ROC curve on the validation slice, per part ({@code logistic}, {@code trees},
 *     {@code blend})
 * @param treeCount the number of trees chosen on the validation slice
 * @param notes what the data reader noticed (absent columns, aliases)
 */
public record TrainingSummary(
        String source,
        int rows,
        int positives,
        int validationRows,
        Map<String, Double> validationAuc,
        int treeCount,
        List<String> notes) {
    public TrainingSummary {
        validationAuc = Map.copyOf(validationAuc);
        notes = List.copyOf(notes);
    }
}

package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RiskModelJsonTest {
    @Test
    void aModelReadBackScoresEveryChangeExactlyAsBefore() {
        var data = SyntheticChanges.generate(1500, 21);
        var model = RiskTrainer.train(data, "synthetic", TrainingOptions.defaults());
        var back = RiskModelJson.read(RiskModelJson.write(model));
        for (int i = 0; i < data.size(); i++) {
            assertEquals(model.logit(data.row(i)), back.logit(data.row(i)), 0.0);
        }
        assertEquals(model.threshold(), back.threshold());
        assertEquals(model.context(), back.context());
        assertEquals(model.training(), back.training());
        assertTrue(RiskModelJson.write(model).equals(RiskModelJson.write(back)), "the JSON differs after a round trip");
    }

    @Test
    void somethingElseIsNotTakenForAModel() {
        var e = assertThrows(DatasetError.class, () -> RiskModelJson.read("{\"hello\": 1}"));
        assertTrue(e.getMessage().startsWith("not a Harbormaster risk model"), e.getMessage());
    }

    @Test
    void theShippedModelLoadsWithItsThresholdAndHowItWasTrained() {
        var model = RiskModelJson.defaultModel();
        assertEquals(0.11, model.threshold().targetRate());
        assertEquals("apachejit_train_2003_2016.csv", model.training().source());
        assertTrue(model.features().contains("la") && !model.features().contains("lt"));
    }
}

package io.harbormaster.bot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.JitCsv;
import io.harbormaster.engine.risk.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the risk commands share: reading inputs into typed values, or refusing them with a {@link UserError}. */
final class RiskCli {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RiskCli() {}

    static TrainingData readCsv(Path file, String option) {
        checkCsv(file, option);
        try {
            return JitCsv.read(file);
        } catch (DatasetError e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    /** Refuses a directory or a missing file, before anything is read: a command checks all its inputs first. */
    static void checkCsv(Path file, String option) {
        InputFiles.refuseDirectory(file, option, "a CSV file with the ApacheJIT columns");
        if (!Files.isRegularFile(file)) {
            throw new UserError(option + " " + file + ": no such file; give a CSV with the ApacheJIT columns");
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A share as a percentage the way every risk explanation writes one ({@code risk score}'s threshold line, the
     * scorer's reasons): "11%" when whole, "29.3%" otherwise, never "11.0%".
     */
    static String pct(double share) {
        return io.harbormaster.engine.text.Numbers.percent(share);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}

package io.harbormaster.engine.risk;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.harbormaster.engine.json.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and writes risk models as JSON, and loads the default model shipped with the engine. */
public final class RiskModelJson {
    /** The resource holding the default model. */
    public static final String DEFAULT_RESOURCE = "/io/harbormaster/engine/risk/default-model.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS) // the same model always writes the same bytes
            .disable(SerializationFeature.INDENT_OUTPUT);

    private RiskModelJson() {}

    /** The model as JSON text. */
    public static String write(RiskModel model) {
        try {
            return JSON.writeValueAsString(model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the model to a file. */
    public static void write(RiskModel model, Path file) throws IOException {
        Files.writeString(file, write(model));
    }

    /** Reads a model from JSON text; a file that is not a model is refused with a message. */
    public static RiskModel read(String json) {
        try {
            return check(JSON.readValue(json, RiskModel.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DatasetError("not a Harbormaster risk model: " + JsonErrors.describe(e));
        }
    }

    /** Reads a model file; a refusal names the file. */
    public static RiskModel read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new DatasetError("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new DatasetError("cannot read model file " + file + ": " + JsonErrors.describe(e));
        }
        try {
            return read(text);
        } catch (DatasetError e) {
            throw new DatasetError("model file " + file + ": " + e.getMessage());
        }
    }

    /** The model trained on ApacheJIT 2003-2016 that ships with the engine. */
    public static RiskModel defaultModel() {
        try (InputStream in = RiskModelJson.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default risk model is missing from the jar: " + DEFAULT_RESOURCE);
            }
            return read(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RiskModel check(RiskModel m) {
        if (m.format() != RiskModel.FORMAT) {
            throw new DatasetError("model format " + m.format() + " is not supported (expected " + RiskModel.FORMAT
                    + "): retrain it with this version");
        }
        try {
            m.metrics(); // every feature must be a known metric
        } catch (IllegalArgumentException e) {
            throw new DatasetError("not a usable risk model: " + e.getMessage());
        }
        return m;
    }
}

package io.harbormaster.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;

/** Reasoning JSON in one canonical form: object keys sorted, no insignificant white space. */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {}

    /** The canonical text of a JSON document; refuses text that is not JSON. */
    public static String canonicalize(String json) {
        try {
            return MAPPER.writeValueAsString(sorted(MAPPER.readTree(json)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit reasoning must be JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The canonical text of a value Jackson can serialize (a map, a record, a node). */
    public static String of(Object value) {
        return canonicalize(toJson(value));
    }

    private static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "audit reasoning cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            var names = new ArrayList<String>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (var name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }
}

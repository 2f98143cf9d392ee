package io.harbormaster.engine.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A JSON audit export written one record a line, so that a test can damage one line and expect the reader to name
 * it: line 1 the header fields, line 2 {@code "checkpoints":[}, then one checkpoint a line, then
 * {@code ],"entries":[}, one entry a line, and {@code ]}} last.
 */
public final class ExportLines {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ExportLines() {}

    public static String of(ObjectNode doc) throws Exception {
        var header = doc.deepCopy();
        header.remove(List.of("checkpoints", "entries"));
        var head = MAPPER.writeValueAsString(header);
        var out = new StringBuilder(head.substring(0, head.length() - 1)).append(",\n\"checkpoints\":[\n");
        appendEach(out, (ArrayNode) doc.get("checkpoints"));
        out.append("],\"entries\":[\n");
        appendEach(out, (ArrayNode) doc.get("entries"));
        return out.append("]}\n").toString();
    }

    private static void appendEach(StringBuilder out, ArrayNode items) throws Exception {
        for (int i = 0; i < items.size(); i++) {
            out.append(MAPPER.writeValueAsString(items.get(i)))
                    .append(i + 1 < items.size() ? "," : "")
                    .append('\n');
        }
    }
}

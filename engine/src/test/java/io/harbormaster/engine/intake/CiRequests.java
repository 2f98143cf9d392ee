package io.harbormaster.engine.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deploy request messages as a CI job would publish them, for tests. */
public final class CiRequests {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CiRequests() {}

    /** A complete, valid message for {@code service} at {@code version}, built by {@code buildId}. */
    public static ObjectNode valid(String service, String version, String buildId) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("service", service);
        root.put("version", version);
        root.put("image", "registry.example.com/shop/" + service + ":" + version);
        root.put("commit_sha", "9fceb02d0ae598e95dc970b74767f19372d61af8");
        root.put("build_id", buildId);
        root.put("environment", "production");
        root.put("ci_status", "success");
        root.put("auto_deploy", true);
        root.put("requested_by", "alice");
        ObjectNode change = root.putObject("change");
        change.put("ns", 1)
                .put("nd", 2)
                .put("nf", 3)
                .put("entropy", 0.81)
                .put("la", 120)
                .put("ld", 30);
        change.put("lt", 900).put("fix", false).put("ndev", 4).put("age", 12.5).put("nuc", 6);
        change.put("exp", 310).put("rexp", 12.1).put("sexp", 88);
        change.putArray("files").add("src/main/java/Payment.java").add("src/test/java/PaymentTest.java");
        change.putArray("dependencies").add("ledger");
        change.putArray("commit_messages").add("Fix rounding of refunds");
        change.put("pr_title", "Fix rounding of refunds");
        return root;
    }

    public static ObjectNode valid() {
        return valid("payments", "1.4.2", "gha-8812345");
    }

    /** The smallest valid message: only the required fields. */
    public static ObjectNode minimal() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("service", "payments");
        root.put("version", "1.4.2");
        root.put("image", "registry.example.com/shop/payments:1.4.2");
        root.put("commit_sha", "9fceb02");
        root.put("build_id", "gha-1");
        root.putObject("change").putArray("files");
        return root;
    }

    public static String json(ObjectNode node) {
        return node.toString();
    }
}

package io.harbormaster.engine.advice;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What a chat model is asked: the instructions and the facts as structured input (JSON). */
public record Prompt(String system, String user) {

    /** SHA-256 over the instructions and the input, as recorded in the audit entry. */
    public String sha256() {
        return Prompt.sha256(system + "\n\n" + user);
    }

    /** Hex SHA-256 of a text's UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

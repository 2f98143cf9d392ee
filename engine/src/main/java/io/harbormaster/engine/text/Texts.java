package io.harbormaster.engine.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Text as messages show it, and as records name it. */
public final class Texts {
    private Texts() {}

    /** {@code s} at most {@code max} characters long: cut short with "…" as its last when it is longer. */
    public static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }

    /** The hex SHA-256 of {@code text}'s UTF-8 bytes: how a record names a text it does not keep. */
    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

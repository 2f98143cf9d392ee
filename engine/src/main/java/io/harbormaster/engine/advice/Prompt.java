package io.harbormaster.engine.advice;

import io.harbormaster.engine.text.Texts;

/** What a chat model is asked: the instructions and the facts as structured input (JSON). */
public record Prompt(String system, String user) {

    /** SHA-256 over the instructions and the input, as recorded in the audit entry. */
    public String sha256() {
        return Texts.sha256(system + "\n\n" + user);
    }

    /** Hex SHA-256 of a text's UTF-8 bytes. */
}

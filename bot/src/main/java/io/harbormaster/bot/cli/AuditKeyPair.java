package io.harbormaster.bot.cli;

import io.harbormaster.engine.audit.CheckpointSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The audit key pair as the environment holds it: {@code serve} signs the log's checkpoints with it and {@code audit
 * export} a filtered export's manifest. Each command says in its own words what it does when the pair is missing or
 * unusable; this reads it the one way both need.
 */
final class AuditKeyPair {
    static final String SIGNING_KEY = "HARBORMASTER_AUDIT_SIGNING_KEY";
    static final String PUBLIC_KEY = "HARBORMASTER_AUDIT_PUBLIC_KEY";

    private AuditKeyPair() {}

    /**
     * The pair in {@code env}; empty unless both variables are set (a blank one counts as unset).
     *
     * @param unusable the command's error for a pair that is set but cannot be used, from why not (which names the
     *     variable that is wrong, never its value)
     */
    static Optional<CheckpointSigner> fromEnv(Map<String, String> env, Function<String, UserError> unusable) {
        if (!unset(env).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CheckpointSigner.fromBase64(env.get(SIGNING_KEY), env.get(PUBLIC_KEY)));
        } catch (IllegalArgumentException e) {
            throw unusable.apply(e.getMessage());
        }
    }

    /** The pair's variables that are unset or blank in {@code env}: the signing key's first. */
    static List<String> unset(Map<String, String> env) {
        var unset = new ArrayList<String>();
        for (var name : List.of(SIGNING_KEY, PUBLIC_KEY)) {
            var value = env.get(name);
            if (value == null || value.isBlank()) {
                unset.add(name);
            }
        }
        return unset;
    }
}

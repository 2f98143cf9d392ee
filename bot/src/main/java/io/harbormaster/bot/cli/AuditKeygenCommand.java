package io.harbormaster.bot.cli;

import io.harbormaster.engine.audit.CheckpointSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code harbormaster audit keygen}: a new Ed25519 key pair for signing audit checkpoints. */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = {
            "Print a new Ed25519 key pair for signing audit checkpoints, as the two environment variables the bot"
                    + " reads. Keep the signing key in a secret store; give the public key to auditors.",
        })
final class AuditKeygenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        var signer = CheckpointSigner.generate();
        var out = spec.commandLine().getOut();
        out.println("HARBORMASTER_AUDIT_SIGNING_KEY=" + signer.privateKeyBase64());
        out.println("HARBORMASTER_AUDIT_PUBLIC_KEY=" + signer.publicKeyBase64());
        out.println("# key id " + signer.keyId());
        out.flush();
    }
}

package io.harbormaster.bot.cli;

import io.harbormaster.bot.config.CanaryPolicyYaml;
import io.harbormaster.engine.canary.CanaryPolicy;
import java.nio.file.Path;

/** The canary policy a command's {@code --policy FILE} names ({@code analyze run}, {@code bench canary}). */
final class CanaryPolicyFile {
    private CanaryPolicyFile() {}

    /**
     * The policy in {@code file}, with the defaults for anything it leaves out, or the defaults when no file is given
     * ({@code null}); a file that cannot be read or holds a bad policy is a {@link UserError} naming the file and key.
     */
    static CanaryPolicy read(Path file) {
        InputFiles.refuseDirectory(file, "--policy", "a canary policy YAML file");
        try {
            return file == null ? CanaryPolicy.defaults() : CanaryPolicyYaml.read(file);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }
}

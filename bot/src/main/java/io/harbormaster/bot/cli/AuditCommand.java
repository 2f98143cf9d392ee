package io.harbormaster.bot.cli;

import picocli.CommandLine.Command;

/** {@code harbormaster audit}: verify and export the tamper-evident audit log. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Verify and export the tamper-evident audit log.",
        subcommands = {AuditVerifyCommand.class, AuditExportCommand.class, AuditKeygenCommand.class})
final class AuditCommand {}

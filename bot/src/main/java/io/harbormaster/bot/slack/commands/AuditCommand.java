package io.harbormaster.bot.slack.commands;

import io.harbormaster.engine.audit.AuditQuery;

/** An {@code /audit} command, parsed. */
public sealed interface AuditCommand {

    /** {@code /audit [service=..] [since=..] [until=..] [decision=..] [deploy=..]}: a summary of the matching entries. */
    record Query(AuditQuery query) implements AuditCommand {}

    /** {@code /audit verify}: walk the hash chain and the signed checkpoints. */
    record Verify() implements AuditCommand {}

    /** {@code /audit help}. */
    record Help() implements AuditCommand {}
}

package io.harbormaster.bot.slack.commands;

import java.util.Optional;

/** A {@code /deploy} command as the person typed it, parsed and checked against the catalog. */
public sealed interface DeployCommand {

    /** {@code /deploy <service> <version> [to <env>] [--emergency]}; no environment: the configured default. */
    record Deploy(String service, String version, Optional<String> environment, boolean emergency)
            implements DeployCommand {}

    /** {@code /deploy status [service]}: what is running, for one service or all. */
    record Status(Optional<String> service) implements DeployCommand {}

    /** {@code /deploy rollback <service>}. */
    record Rollback(String service) implements DeployCommand {}

    /** {@code /deploy lock <service> <reason...>}: no deploys of the service until it is unlocked. */
    record Lock(String service, String reason) implements DeployCommand {}

    /** {@code /deploy unlock <service>}. */
    record Unlock(String service) implements DeployCommand {}

    /**
     * {@code /deploy review <deploy-id>}: marks an emergency deploy reviewed, as its thread's Mark reviewed button does
     * (for whoever cannot find the thread).
     */
    record Review(long deployId) implements DeployCommand {}

    /**
     * {@code /deploy resolve <incident> [note...]}: an approver of the incident's service says it is healthy again, so
     * the services that depend on it are no longer held back by the incident.
     */
    record Resolve(long incidentId, String note) implements DeployCommand {}

    /** {@code /deploy help} (and {@code /deploy} alone). */
    record Help() implements DeployCommand {}
}

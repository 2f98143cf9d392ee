package io.harbormaster.bot.slack.messages;

import io.harbormaster.bot.slack.commands.AuditCommandParser;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import java.util.List;

/** The answers to {@code /deploy help} and {@code /audit help}. */
public final class HelpMessage {
    private HelpMessage() {}

    public static SlackMessage deploy() {
        var lines = List.of(
                "`" + DeployCommandParser.DEPLOY_USAGE + "`\n    start a deploy; the bot opens a thread for it."
                        + " Risky changes wait for an approver; `--emergency` skips the wait but needs a review once it"
                        + " has ended."
                        + " Each Harbormaster deploys to one environment: `to <env>` may only name its own (and may"
                        + " be left out), other environments have their own instance; each service goes to the"
                        + " namespace harbormaster.yml gives it.",
                "`" + DeployCommandParser.STATUS_USAGE + "`\n    what is running, for one service or all",
                "`" + DeployCommandParser.ROLLBACK_USAGE + "`\n    stop the service's deploy in flight (its canary"
                        + " rolled back to the stable version); with nothing in flight, put back the version it ran"
                        + " before its latest promotion, at once (no canary), and block automatic deploys for a while"
                        + " (`defaults.auto_deploy_block`, an hour unless configured)",
                "`" + DeployCommandParser.LOCK_USAGE + "`\n    hold the service: no new deploy starts until it is"
                        + " unlocked (a deploy past its preflight, such as a running canary, goes on); the reason is at"
                        + " most " + io.harbormaster.engine.policy.ServiceLock.MAX_REASON + " characters",
                "`" + DeployCommandParser.UNLOCK_USAGE
                        + "`\n    release the hold (someone else's: only they or the service's approvers)",
                "`" + DeployCommandParser.REVIEW_USAGE
                        + "`\n    mark an ended emergency deploy reviewed, as its thread's button does (the service's"
                        + " approvers, or the auditors once the service is no longer configured; not who ran it);"
                        + " `status` lists those awaiting review",
                "`" + DeployCommandParser.RESOLVE_USAGE
                        + "`\n    resolve an incident (the number its rollback notice, a blocked preflight or `status`"
                        + " names) once its service is healthy again: the services that depend on it are no longer held"
                        + " back by it (the service's approvers; a promoted deploy of the service resolves it too, and"
                        + " it holds nothing back after `defaults.incident_block`, an hour unless configured)",
                "`" + DeployCommandParser.HELP_USAGE + "`\n    this text",
                "A service with deployers is deployed, rolled back, locked and unlocked only by them and its"
                        + " approvers; status and help are open to all.");
        var text = "*Harbormaster deploys*\n" + String.join("\n", lines);
        return new SlackMessage(
                "Harbormaster: /deploy <service> <version> [to <env>] [--emergency], status, rollback, lock, unlock,"
                        + " review, resolve, help",
                List.of(
                        BlockKit.section(text),
                        BlockKit.context("Audit trail: `" + AuditCommandParser.QUERY_USAGE + "`, `"
                                + AuditCommandParser.VERIFY_USAGE + "`")));
    }

    public static SlackMessage audit() {
        var text = "*Harbormaster audit log* (auditors only)\n`" + AuditCommandParser.QUERY_USAGE
                + "`\n    a summary of the matching decisions, with CSV and JSON exports\n`"
                + AuditCommandParser.VERIFY_USAGE + "`\n    check the hash chain and the signed checkpoints\n"
                + "Times: `2026-11-01T09:30:00Z`, `2026-11-01`, or an age such as `90m`, `24h`, `7d`, not after now."
                + " A deploy: its number, as `/deploy status` shows it (`deploy=42`).";
        return new SlackMessage(
                "Harbormaster: " + AuditCommandParser.QUERY_USAGE + ", " + AuditCommandParser.VERIFY_USAGE,
                List.of(BlockKit.section(text)));
    }
}

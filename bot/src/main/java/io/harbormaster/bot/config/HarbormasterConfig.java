package io.harbormaster.bot.config;

import io.harbormaster.engine.policy.ServiceCatalog;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything {@code harbormaster.yml} configures, validated: the service catalog and its policies, and the settings
 * of the pipeline around them.
 *
 * @param environment the one environment this instance deploys to; requests that name another are refused
 * @param approvalTimeout how long an escalated deploy waits for approvers before it expires
 * @param autoDeployBlock how long automatic deploys of a service stay blocked after a rollback
 * @param incidentBlock how long, at most, an open incident of a service holds back the deploys of its dependents
 * @param readinessTimeout how long a canary step waits for its pods to be ready before the deploy is rolled back
 * @param defaultChannel where notices go for services that name no channel
 * @param checkpointEvery sign an audit checkpoint every this many entries
 * @param prometheus the Prometheus server canary metrics come from (absent: the sandbox's simulated metrics)
 * @param socketMode Slack's requests arrive over Socket Mode (a WebSocket the bot opens with {@code SLACK_APP_TOKEN})
 *     as well as at {@code /slack/events}
 * @param advisor the advisor's chat model, if any
 * @param risk the risk model to score with, and the escalation rate the file states
 * @param policyVersion which file this is: {@code sha256:} and the first 12 hex digits of the SHA-256 of its text, written
 *     into every audit entry as its policy version so that a decision can be tied to the configuration that made it
 */
public record HarbormasterConfig(
        ServiceCatalog catalog,
        String environment,
        Duration approvalTimeout,
        Duration autoDeployBlock,
        Duration incidentBlock,
        Duration readinessTimeout,
        String defaultChannel,
        int checkpointEvery,
        Optional<URI> prometheus,
        boolean socketMode,
        AdvisorSettings advisor,
        RiskSettings risk,
        String policyVersion) {

    /** The policy version of a configuration text (see {@link #policyVersion()}). */
    public static String policyVersionOf(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * A one-line note when some services have no deployer group, so anyone in Slack may deploy, roll back, lock and
     * unlock them (what {@code config check} and {@code serve} say; not a problem: it is how a file without
     * {@code deployers} has always worked).
     */
    public java.util.Optional<String> openToAnyoneNote() {
        var open = catalog.openToAnyone();
        if (open.isEmpty()) {
            return java.util.Optional.empty();
        }
        var which = open.size() == catalog.services().size()
                ? "every service (no deployers group is set)"
                : String.join(", ", open.subList(0, Math.min(5, open.size())))
                        + (open.size() > 5 ? " and " + (open.size() - 5) + " more" : "")
                        + " (no deployers group)";
        return java.util.Optional.of("anyone in Slack may deploy, roll back, lock and unlock " + which
                + "; set defaults.deployers or services.<name>.deployers to restrict that to a group and the"
                + " approvers");
    }
}

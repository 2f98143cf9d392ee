package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployStore;

/** How a stored deploy is shown in Slack: who asked, and its latest transition's reason as the state line. */
final class DeployViews {
    private DeployViews() {}

    static DeployView of(Deploy d, DeployStore store) {
        var requester = store.request(d.id()).map(DeployRequest::requestedBy).orElse("unknown");
        var transitions = store.transitions(d.id());
        var line = transitions.isEmpty() ? "requested" : transitions.getLast().reason();
        return of(d, requester, line);
    }

    static DeployView of(Deploy d, String requester, String stateLine) {
        return new DeployView(
                d.id(),
                d.service(),
                d.version(),
                d.environment(),
                requester,
                d.state(),
                stateLine.isBlank() ? d.state().name().toLowerCase(java.util.Locale.ROOT) : stateLine,
                d.emergency(),
                d.updatedAt());
    }
}

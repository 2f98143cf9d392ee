package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.Transition;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** How a stored deploy is shown in Slack: who asked, and its latest transition's reason as the state line. */
final class DeployViews {
    private DeployViews() {}

    static DeployView of(Deploy d, DeployStore store) {
        var requester = store.request(d.id()).map(DeployRequest::requestedBy).orElse("unknown");
        var transitions = store.transitions(d.id());
        if (transitions.isEmpty()) {
            return of(d, requester, "requested");
        }
        return of(d, requester, transitions.getLast().reason(), people(transitions));
    }

    /**
     * The people the texts about a deploy name: those who moved it ("rejected by U1", "stopped by U1", "rollback
     * requested by U1", also once the engine has carried the rollback out) and those its moves' reasons name besides (a
     * lock's holder in a blocked preflight, {@link Transition#people}), shown as mentions.
     */
    static List<String> people(DeployStore store, long deployId) {
        return people(store.transitions(deployId));
    }

    /** {@link #people(DeployStore, long)} of the deploy when there is one (an incident or a block may name none). */
    static List<String> people(DeployStore store, OptionalLong deployId) {
        return deployId.isPresent() ? people(store, deployId.getAsLong()) : List.of();
    }

    private static List<String> people(List<Transition> transitions) {
        return transitions.stream()
                .flatMap(t -> Stream.concat(
                        t.actor().equals("engine") ? Stream.<String>empty() : Stream.of(t.actor()),
                        t.people().stream()))
                .distinct()
                .toList();
    }

    static DeployView of(Deploy d, String requester, String stateLine) {
        return of(d, requester, stateLine, List.of());
    }

    static DeployView of(Deploy d, String requester, String stateLine, List<String> people) {
        return new DeployView(
                d.id(),
                d.service(),
                d.version(),
                d.environment(),
                requester,
                d.state(),
                stateLine.isBlank() ? d.state().words() : stateLine,
                d.emergency(),
                d.updatedAt(),
                people);
    }
}

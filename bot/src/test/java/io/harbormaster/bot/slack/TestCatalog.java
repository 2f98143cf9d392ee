package io.harbormaster.bot.slack;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.policy.Criticality;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.policy.ServiceSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** A small catalog for the Slack tests: checkout, payments, inventory, search. */
public final class TestCatalog {
    private TestCatalog() {}

    public static ServiceCatalog catalog() {
        var services = List.of("checkout", "payments", "inventory", "search").stream()
                .collect(Collectors.toMap(n -> n, TestCatalog::spec));
        return new ServiceCatalog(
                services,
                Map.of("approvers", Set.of("U0APPROVER"), "auditors", Set.of("U0AUDITOR")),
                List.of(),
                "auditors");
    }

    private static ServiceSpec spec(String name) {
        return new ServiceSpec(
                name,
                "shop",
                name,
                name,
                Criticality.HIGH,
                List.of(),
                "approvers",
                1,
                List.of(),
                CanaryPolicy.defaults(),
                CanaryPolicy.defaults().cautious(),
                Map.of(),
                "#deploys",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}

package io.harbormaster.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.policy.CommandPolicy.Command;
import io.harbormaster.engine.policy.CommandPolicy.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandPolicyTest {
    static final ServiceCatalog CATALOG = new ServiceCatalog(
            Map.of("vault", spec("vault", Optional.of("deployers")), "kiosk", spec("kiosk", Optional.empty())),
            Map.of("approvers", Set.of("U0APP"), "deployers", Set.of("U0DEP")),
            List.of(),
            "approvers");
    static final Instant AT = Instant.parse("2026-11-24T10:00:00.123456Z");

    static ServiceSpec spec(String name, Optional<String> deployers) {
        return new ServiceSpec(
                name,
                "shop",
                name,
                name,
                Criticality.MEDIUM,
                List.of(),
                "approvers",
                1,
                List.of(),
                CanaryPolicy.defaults(),
                CanaryPolicy.defaults().cautious(),
                Map.of(),
                "#deploys",
                deployers,
                Optional.empty(),
                Optional.empty());
    }

    static Verdict check(String service, String member, Command command) {
        return CommandPolicy.check(CATALOG, CATALOG.service(service).orElseThrow(), member, command);
    }

    @Test
    void withADeployerGroupOnlyItsMembersAndTheApproversMayRunTheCommands() {
        for (var command : Command.values()) {
            assertThat(check("vault", "U0DEP", command)).isEqualTo(new Verdict.Allowed("deployer"));
            assertThat(check("vault", "U0APP", command)).isEqualTo(new Verdict.Allowed("approver"));
            var refused = check("vault", "U0ANY", command);
            assertThat(refused).isInstanceOf(Verdict.Refused.class);
            assertThat(((Verdict.Refused) refused).groups()).containsExactly("deployers", "approvers");
            assertThat(((Verdict.Refused) refused).reason())
                    .contains("Only members of *deployers* or *approvers* may ")
                    .contains("ask to be added to deployers in harbormaster.yml");
        }
        assertThat(((Verdict.Refused) check("vault", "U0ANY", Command.DEPLOY)).reason())
                .startsWith("Only members of *deployers* or *approvers* may deploy vault (with or without"
                        + " --emergency), so nothing was started.");
    }

    @Test
    void withoutOneAnyoneMayAsBefore() {
        for (var command : Command.values()) {
            assertThat(check("kiosk", "U0ANY", command)).isEqualTo(new Verdict.Allowed("anyone"));
        }
        assertThat(CATALOG.openToAnyone()).containsExactly("kiosk");
    }

    @Test
    void someoneElsesLockIsLiftedByItsSetterOrAnApproverOnlyAndTheRefusalSaysWhoSetItWhenAndWhy() {
        var lock = new ServiceLock("kiosk", "index rebuild", "U0SETTER", AT);
        var kiosk = CATALOG.service("kiosk").orElseThrow();
        assertThat(CommandPolicy.unlock(CATALOG, kiosk, lock, "U0SETTER")).isEqualTo(new Verdict.Allowed("lock owner"));
        assertThat(CommandPolicy.unlock(CATALOG, kiosk, lock, "U0APP")).isEqualTo(new Verdict.Allowed("approver"));
        assertThat(CommandPolicy.unlock(CATALOG, kiosk, lock, "U0ANY"))
                .isEqualTo(new Verdict.Refused(
                        "kiosk is locked by U0SETTER since 2026-11-24 10:00 UTC: index rebuild. Only U0SETTER, who set"
                                + " it, or a member of *approvers* may lift someone else's lock, so it stays locked."
                                + " Ask them.",
                        List.of("approvers")));

        // with deployers: a deployer lifts their own lock, not someone else's; an outsider neither
        var vault = CATALOG.service("vault").orElseThrow();
        var byDeployer = new ServiceLock("vault", "hold", "U0DEP", AT);
        var byApprover = new ServiceLock("vault", "hold", "U0APP", AT);
        assertThat(CommandPolicy.unlock(CATALOG, vault, byDeployer, "U0DEP"))
                .isEqualTo(new Verdict.Allowed("lock owner"));
        assertThat(CommandPolicy.unlock(CATALOG, vault, byApprover, "U0DEP")).isInstanceOf(Verdict.Refused.class);
        assertThat(CommandPolicy.unlock(CATALOG, vault, byDeployer, "U0APP"))
                .isEqualTo(new Verdict.Allowed("approver"));
        assertThat(CommandPolicy.unlock(CATALOG, vault, byDeployer, "U0ANY"))
                .asString()
                .contains("vault is locked by U0DEP since", "hold.", "Only members of *deployers* or *approvers*");
    }
}

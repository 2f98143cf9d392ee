package io.harbormaster.bot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.harbormaster.engine.adapters.kubernetes.ApiCall;
import io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The bot's ClusterRole grants exactly the API requests the Fabric8 adapter makes. The engine's Kubernetes tests
 * record every request the adapter sends ({@code RecordingApiCalls}) and check them against
 * {@link Fabric8Cluster#API_CALLS}; this test closes the loop from that set to the RBAC rules in {@code manifests/},
 * in every build (base, each overlay, the root), both ways: nothing missing, nothing extra, no wildcard.
 */
class ManifestRbacTest {
    private static final Path ROOT = Kustomization.manifestsRoot();

    /** Every (verb, group, resource) the rules allow, refusing what cannot be expanded into such triples. */
    static Set<ApiCall> granted(List<PolicyRule> rules, List<String> problems) {
        var out = new TreeSet<ApiCall>();
        for (PolicyRule r : rules) {
            if (r.getNonResourceURLs() != null && !r.getNonResourceURLs().isEmpty()) {
                problems.add("nonResourceURLs " + r.getNonResourceURLs() + " are not used by the adapter");
            }
            if (r.getResourceNames() != null && !r.getResourceNames().isEmpty()) {
                problems.add("resourceNames " + r.getResourceNames() + ": the adapter's objects have no fixed names");
            }
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    for (String verb : r.getVerbs()) {
                        if (group.contains("*") || resource.contains("*") || verb.contains("*")) {
                            problems.add("wildcard in " + verb + " " + group + " " + resource);
                        }
                        out.add(new ApiCall(verb, group, resource));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyBuildGrantsExactlyTheCallsTheFabric8AdapterMakes() {
        for (Path dir : Kustomization.kustomizations()) {
            List<HasMetadata> objects = ManifestsTest.typedBuild(dir);
            var roles = objects.stream()
                    .filter(ClusterRole.class::isInstance)
                    .map(ClusterRole.class::cast)
                    .toList();
            assertThat(roles).as("ClusterRoles in %s", dir).hasSize(1);
            assertThat(objects)
                    .as("%s: the ClusterRole is the bot's only grant", dir)
                    .noneMatch(Role.class::isInstance);
            var problems = new ArrayList<String>();
            var granted = granted(roles.getFirst().getRules(), problems);
            assertThat(problems).as("rules in %s", dir).isEmpty();
            assertThat(granted)
                    .as("%s grants what the adapter does not use", dir)
                    .isSubsetOf(Fabric8Cluster.API_CALLS);
            assertThat(Fabric8Cluster.API_CALLS)
                    .as("%s misses what the adapter uses", dir)
                    .isSubsetOf(granted);
            var bindings = objects.stream()
                    .filter(o -> o instanceof ClusterRoleBinding || o instanceof RoleBinding)
                    .toList();
            assertThat(bindings).as("bindings in %s", dir).singleElement().isInstanceOf(ClusterRoleBinding.class);
            assertThat(((ClusterRoleBinding) bindings.getFirst()).getRoleRef().getName())
                    .isEqualTo(roles.getFirst().getMetadata().getName());
        }
    }

    @Test
    void canariesByGatewayApiWeightsAddOnlyReadingAndPatchingRoutesListingGrantsAndMakingAndRemovingServices() {
        // no update (which would replace the route as read), no list or watch of routes or Services, nothing on
        // Gateways, and ReferenceGrants only listed (a route in another namespace must be granted its backends)
        assertThat(Fabric8Cluster.GATEWAY_API_CALLS)
                .containsExactlyInAnyOrder(
                        new ApiCall("get", "gateway.networking.k8s.io", "httproutes"),
                        new ApiCall("patch", "gateway.networking.k8s.io", "httproutes"),
                        new ApiCall("list", "gateway.networking.k8s.io", "referencegrants"),
                        new ApiCall("get", "", "services"),
                        new ApiCall("create", "", "services"),
                        new ApiCall("delete", "", "services"));
        var rules = ((ClusterRole) ManifestsTest.typedBuild(ROOT.resolve("base")).stream()
                        .filter(ClusterRole.class::isInstance)
                        .findFirst()
                        .orElseThrow())
                .getRules();
        assertThat(granted(rules, new ArrayList<>()))
                .filteredOn(c -> c.resource().equals("services") || c.group().equals("gateway.networking.k8s.io"))
                .containsExactlyInAnyOrderElementsOf(Fabric8Cluster.GATEWAY_API_CALLS);
    }

    @Test
    void rbacIsDeclaredOnlyInBaseSoNoOverlayCanWidenIt() throws IOException {
        try (var files = Files.walk(ROOT)) {
            var rbacFiles = files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> Kustomization.read(p).stream()
                            .anyMatch(d -> String.valueOf(d.get("apiVersion")).startsWith("rbac.authorization.k8s.io")))
                    .map(p -> ROOT.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
            assertThat(rbacFiles).containsExactly("base/clusterrole.yaml", "base/clusterrolebinding.yaml");
        }
    }

    @Test
    void theCallsRecordedByTheEngineKubernetesTestsAreAllGrantedWhenTheyHaveRun() throws IOException {
        Path report = Kustomization.manifestsRoot().resolveSibling("engine/target/k8s-api-calls.txt");
        if (!Files.isRegularFile(report)) {
            System.out.println("NOTE: " + report + " is absent (engine tests not run in this build):"
                    + " checked against Fabric8Cluster.API_CALLS only");
            return;
        }
        var granted = granted(
                ((ClusterRole) ManifestsTest.typedBuild(ROOT.resolve("base")).stream()
                                .filter(ClusterRole.class::isInstance)
                                .findFirst()
                                .orElseThrow())
                        .getRules(),
                new ArrayList<>());
        var grantedLines = granted.stream().map(ApiCall::line).toList();
        var recorded =
                Files.readAllLines(report).stream().filter(l -> !l.isBlank()).toList();
        assertThat(recorded).isNotEmpty();
        assertThat(grantedLines).containsAll(recorded);
    }
}

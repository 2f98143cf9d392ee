package io.harbormaster.bot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsTest {
    private static final Path ROOT = Kustomization.manifestsRoot();
    private static final String NAMESPACE = "harbormaster";

    /** What {@code kubectl apply -k dir} would apply, typed; any problem in loading fails the test. */
    static List<HasMetadata> typedBuild(Path dir) {
        var problems = new ArrayList<String>();
        var typed = new ArrayList<HasMetadata>();
        for (var tree : Kustomization.build(dir)) {
            var o = TypedManifests.load(ROOT.relativize(dir) + "/", tree, problems);
            if (o != null) {
                typed.add(o);
            }
        }
        assertThat(problems).as("loading the build of %s", dir).isEmpty();
        return typed;
    }

    static Set<String> secretKeys() {
        var problems = new ArrayList<String>();
        var secret = (Secret) TypedManifests.load(
                "base/secret.yaml",
                Kustomization.read(ROOT.resolve("base/secret.yaml")).getFirst(),
                problems);
        assertThat(problems).isEmpty();
        return ManifestChecks.secretKeys(secret);
    }

    private static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(
                            p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        var found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("the %s", type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    @Test
    void everyManifestFileLoadsIntoFabric8sTypedModelWithNoUnknownField() {
        var problems = new ArrayList<String>();
        var files = yamlFiles();
        for (Path file : files) {
            for (var doc : Kustomization.read(file)) {
                TypedManifests.load(ROOT.relativize(file).toString(), doc, problems);
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(14);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyKustomizationBuildsIntoObjectsWithTheirRequiredFieldsAndReferencesInPlace() {
        var dirs = Kustomization.kustomizations();
        assertThat(dirs.stream().map(d -> ROOT.relativize(d).toString().replace('\\', '/')))
                .contains("", "base", "overlays/h2", "overlays/postgres-kafka");
        var keys = secretKeys();
        for (Path dir : dirs) {
            String ns = Kustomization.namespace(dir);
            if (ns != null) {
                assertThat(ns).as("%s namespace", dir).isEqualTo(NAMESPACE);
            }
            assertThat(ManifestChecks.check(typedBuild(dir), keys, NAMESPACE))
                    .as("problems in %s", dir)
                    .isEmpty();
        }
    }

    @Test
    void theConfigMapsHarbormasterYmlPassesTheBotsOwnValidation() {
        for (Path dir : Kustomization.kustomizations()) {
            var config = only(typedBuild(dir), ConfigMap.class);
            String yaml = config.getData().get(ManifestChecks.CONFIG_KEY);
            try {
                var parsed = ConfigLoader.parse(ROOT.relativize(dir) + " ConfigMap harbormaster.yml", yaml);
                assertThat(parsed.catalog().services()).isNotEmpty();
            } catch (ConfigException e) {
                throw new AssertionError(
                        "harbormaster.yml in " + dir + " is refused:\n" + String.join("\n", e.problems()));
            }
        }
    }

    @Test
    void theSecretTemplateNamesTheKeysTheBotReadsAndCarriesNoValue() {
        var problems = new ArrayList<String>();
        var secret = (Secret) TypedManifests.load(
                "base/secret.yaml",
                Kustomization.read(ROOT.resolve("base/secret.yaml")).getFirst(),
                problems);
        assertThat(ManifestChecks.secretKeys(secret))
                .contains("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "HARBORMASTER_DB_PASSWORD");
        assertThat(secret.getStringData().values()).allMatch(String::isEmpty);
        assertThat(secret.getData()).isNullOrEmpty();
        for (Path dir : Kustomization.kustomizations()) {
            assertThat(typedBuild(dir))
                    .as("%s must not apply the Secret (it would blank the real one)", dir)
                    .noneMatch(Secret.class::isInstance);
        }
    }

    @Test
    void everyBuildGivesTheBotItsPublicAddressAsAnHttpsPlaceholderServeRecognises() {
        for (Path dir : Kustomization.kustomizations()) {
            var env = only(typedBuild(dir), Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst()
                    .getEnv();
            var url = env.stream()
                    .filter(e -> e.getName().equals("HARBORMASTER_PUBLIC_URL"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(dir + " sets no HARBORMASTER_PUBLIC_URL"))
                    .getValue();
            // The placeholder is a well-formed https URL; serve tells it apart by its host (ServeCommandTest).
            var uri = java.net.URI.create(url);
            assertThat(uri.getScheme()).as(dir.toString()).isEqualTo("https");
            assertThat(uri.getHost()).as(dir.toString()).isEqualTo("YOUR-HOST");
            assertThat(env)
                    .extracting(e -> e.getName())
                    .as("%s: the Secret's optional keys reach the bot", dir)
                    .contains(
                            "HARBORMASTER_EXPORT_LINK_SECRET",
                            "SLACK_APP_TOKEN",
                            "HARBORMASTER_PROMETHEUS_TOKEN",
                            "HARBORMASTER_PROMETHEUS_USER",
                            "HARBORMASTER_PROMETHEUS_PASSWORD");
        }
        assertThat(secretKeys())
                .contains(
                        "HARBORMASTER_EXPORT_LINK_SECRET",
                        "SLACK_APP_TOKEN",
                        "HARBORMASTER_PROMETHEUS_TOKEN",
                        "HARBORMASTER_PROMETHEUS_USER",
                        "HARBORMASTER_PROMETHEUS_PASSWORD");
    }

    @Test
    void theH2OverlayRunsOneReplicaAtATimeWithItsDatabaseOnAPersistentVolume() {
        var objects = typedBuild(ROOT.resolve("overlays/h2"));
        var deployment = only(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        var container =
                deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        String url = container.getEnv().stream()
                .filter(e -> e.getName().equals("HARBORMASTER_DB_URL"))
                .findFirst()
                .orElseThrow()
                .getValue();
        var dataMount = container.getVolumeMounts().stream()
                .filter(m -> url.startsWith("jdbc:h2:file:" + m.getMountPath() + "/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(url + " is not on a mounted volume"));
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .anyMatch(v -> v.getName().equals(dataMount.getName()) && v.getPersistentVolumeClaim() != null);
        assertThat(objects).noneMatch(PodDisruptionBudget.class::isInstance);
        assertThat(Kustomization.build(ROOT))
                .as("manifests/ itself is the H2 setup")
                .isEqualTo(Kustomization.build(ROOT.resolve("overlays/h2")));
    }

    @Test
    void thePostgresKafkaOverlayRunsTwoReplicasOnSeparateNodesThatADrainCannotBothTake() {
        var objects = typedBuild(ROOT.resolve("overlays/postgres-kafka"));
        var deployment = only(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(
                        t -> assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        assertThat(only(objects, PodDisruptionBudget.class)
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(1);
        var env = pod.getContainers().getFirst().getEnv().stream()
                .map(e -> e.getName())
                .toList();
        assertThat(env)
                .contains(
                        "HARBORMASTER_DB_URL",
                        "HARBORMASTER_DB_USER",
                        "HARBORMASTER_DB_PASSWORD",
                        "HARBORMASTER_KAFKA_BOOTSTRAP");
    }

    @Test
    void thePostgresKafkaOverlayGivesTheBotTheKafkaClientPropertiesFromASecretItsTemplateDescribes()
            throws IOException {
        var dir = ROOT.resolve("overlays/postgres-kafka");
        var objects = typedBuild(dir);
        var pod = only(objects, Deployment.class).getSpec().getTemplate().getSpec();
        var container = pod.getContainers().getFirst();
        var env = container.getEnv();
        String path = env.stream()
                .filter(e -> e.getName().equals("HARBORMASTER_KAFKA_PROPERTIES"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the overlay sets no HARBORMASTER_KAFKA_PROPERTIES"))
                .getValue();
        var mount = container.getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath() + "/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(path + " is not on a mounted volume"));
        assertThat(mount.getReadOnly()).isTrue();
        var volume = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(volume.getSecret())
                .as("the properties file comes from a Secret")
                .isNotNull();
        assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(env)
                .as("a literal client id would be shared by both replicas; the default is each pod's name")
                .noneMatch(e -> e.getName().equals("HARBORMASTER_KAFKA_CLIENT_ID") && e.getValue() != null);

        var problems = new ArrayList<String>();
        var template = (Secret) TypedManifests.load(
                "overlays/postgres-kafka/kafka-client-secret.yaml",
                Kustomization.read(dir.resolve("kafka-client-secret.yaml")).getFirst(),
                problems);
        assertThat(problems).isEmpty();
        assertThat(template.getMetadata().getName())
                .isEqualTo(volume.getSecret().getSecretName());
        String key = path.substring(mount.getMountPath().length() + 1);
        assertThat(template.getStringData()).containsOnlyKeys(key);
        assertThat(objects).as("the build must not apply the template").noneMatch(Secret.class::isInstance);

        // As it is, the template sets nothing; its commented example, uncommented, is what serve accepts.
        var text = template.getStringData().get(key);
        var asIs = new java.util.Properties();
        asIs.load(new java.io.StringReader(text));
        assertThat(asIs).isEmpty();
        var example = new java.util.TreeMap<String, String>();
        text.lines()
                .filter(l -> l.matches("#[a-z][a-z0-9.]*=.*"))
                .forEach(l -> example.put(l.substring(1, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertThat(example).containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config");
        var accepted = io.harbormaster.engine.adapters.kafka.KafkaClientProperties.check(example, "the template");
        assertThat(accepted.warnings()).isEmpty();
    }

    @Test
    void anOverlaysImagesEntryReplacesTheImageAsKustomizeEditSetImageWould(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources:
                  - %s
                images:
                  - {name: ghcr.io/harbormaster/harbormaster, newName: registry.example.com/hm, newTag: "1.0"}
                """.formatted(ROOT.resolve("base")));
        var deployment = only(typedBuild(dir), Deployment.class);
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getImage())
                .isEqualTo("registry.example.com/hm:1.0");
    }

    @Test
    void theChecksCatchAnUnknownFieldAMistypedApiVersionAndAMissingImage() {
        var problems = new ArrayList<String>();
        var tree = Kustomization.build(ROOT.resolve("overlays/h2")).stream()
                .filter(t -> t.get("kind").equals("Deployment"))
                .findFirst()
                .orElseThrow();
        Kustomization.merge(tree, Map.of("spec", Map.of("replica", 2)));
        TypedManifests.load("test", tree, problems);
        assertThat(problems).singleElement().asString().contains("spec", "unknown field(s) [replica]");

        problems.clear();
        TypedManifests.load(
                "test",
                Map.of("apiVersion", "policy/v1beta2", "kind", "PodDisruptionBudget", "metadata", Map.of("name", "x")),
                problems);
        assertThat(problems).singleElement().asString().contains("not a kind");

        var objects = new ArrayList<>(typedBuild(ROOT.resolve("overlays/h2")));
        only(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .setImage(null);
        assertThat(ManifestChecks.check(objects, secretKeys(), NAMESPACE))
                .singleElement()
                .asString()
                .contains("image is required");
    }
}

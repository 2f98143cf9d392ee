package io.harbormaster.bot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Docker cannot run where the tests run, so the image is checked by reading its recipe: the properties the manifests
 * and the README rely on.
 */
class DockerfileTest {
    private static List<String> instructions() throws IOException {
        var dockerfile = Kustomization.manifestsRoot().resolveSibling("Dockerfile");
        return Files.readAllLines(dockerfile).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    private static String instruction(String keyword) throws IOException {
        var found =
                instructions().stream().filter(l -> l.startsWith(keyword + " ")).toList();
        assertThat(found).as("%s instructions", keyword).hasSize(1);
        return found.getFirst().substring(keyword.length() + 1).strip();
    }

    @Test
    void theImageIsATemurin21JreThatRunsTheShadedJarAsTheManifestsNonRootUser() throws IOException {
        assertThat(instruction("FROM")).startsWith("eclipse-temurin:21-jre");
        String user = instruction("USER").split(":")[0];
        assertThat(user).matches("[0-9]+").isNotEqualTo("0");
        var deployment = (Deployment)
                ManifestsTest.typedBuild(Kustomization.manifestsRoot().resolve("base")).stream()
                        .filter(Deployment.class::isInstance)
                        .findFirst()
                        .orElseThrow();
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getSecurityContext()
                        .getRunAsUser())
                .isEqualTo(Long.parseLong(user));
        assertThat(instruction("COPY")).contains("bot/target/harbormaster.jar /app/harbormaster.jar");
    }

    @Test
    void theJvmTakesItsHeapFromTheContainersMemoryLimitAndExitsOnOutOfMemory() throws IOException {
        String entrypoint = instruction("ENTRYPOINT");
        assertThat(entrypoint)
                .startsWith("[\"java\",")
                .contains("\"-XX:MaxRAMPercentage=75\"", "\"-XX:+ExitOnOutOfMemoryError\"")
                .endsWith("\"-jar\", \"/app/harbormaster.jar\"]")
                .doesNotContain("-Xmx");
        assertThat(instruction("CMD")).isEqualTo("[\"serve\", \"--port\", \"8080\"]");
    }
}

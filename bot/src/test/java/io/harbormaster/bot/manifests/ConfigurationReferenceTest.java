package io.harbormaster.bot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md stays complete: every key the configuration readers accept and every environment variable the
 * main code reads is named there, so adding one without documenting it fails the build.
 */
class ConfigurationReferenceTest {
    private static final Path REPO = Kustomization.manifestsRoot().getParent();
    private static final Pattern KNOWN_CALL = Pattern.compile("known\\((.*?)\\);", Pattern.DOTALL);
    private static final Pattern KEY_LITERAL = Pattern.compile("\"([a-z][a-z0-9_]*)\"");
    private static final Pattern ENV_LITERAL = Pattern.compile("\"((?:HARBORMASTER|SLACK)_[A-Z0-9_]+)\"");

    private static String reference() throws IOException {
        return Files.readString(REPO.resolve("docs/configuration.md"));
    }

    private static String source(String path) throws IOException {
        return Files.readString(REPO.resolve(path));
    }

    @Test
    void everyKeyTheConfigurationReadersAcceptIsInTheReference() throws IOException {
        var keys = new TreeSet<String>();
        for (String file : List.of(
                "bot/src/main/java/io/harbormaster/bot/config/ConfigLoader.java",
                "bot/src/main/java/io/harbormaster/bot/config/CanaryPolicyYaml.java")) {
            var calls = KNOWN_CALL.matcher(source(file));
            while (calls.find()) {
                var literals = KEY_LITERAL.matcher(calls.group(1));
                while (literals.find()) {
                    keys.add(literals.group(1));
                }
            }
        }
        keys.addAll(List.of("requests", "errors", "p50", "p99", "restarts")); // ConfigLoader.METRICS
        assertThat(keys).contains("checkpoint_every", "auto_deploy_block", "max_error_rate", "warmup_intervals");
        String reference = reference();
        assertThat(keys).allSatisfy(k -> assertThat(reference).contains(k));
    }

    @Test
    void everyEnvironmentVariableTheMainCodeReadsIsInTheReference() throws IOException {
        var names = new TreeSet<String>();
        for (String module : List.of("bot", "storage", "engine")) {
            try (Stream<Path> files = Files.walk(REPO.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    var m = ENV_LITERAL.matcher(Files.readString(f));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        assertThat(names).contains("SLACK_SIGNING_SECRET", "HARBORMASTER_DB_URL", "HARBORMASTER_CONFIG");
        String reference = reference();
        assertThat(names).allSatisfy(n -> assertThat(reference).contains("`" + n + "`"));
    }
}

package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckTest {
    static final String OPEN = """
            groups:
              ops: [U01AAA]
              shippers: [U02BBB]
            services:
              web: {namespace: default, approvers: ops}
            """;

    @Test
    void aValidFileWithoutDeployersPassesWithOneNoteSayingAnyoneMayDeploy(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("harbormaster.yml"), OPEN);
        var run = CliRun.of("config", "check", "--config", file.toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("is valid: 1 services, 2 groups");
        // the version every audit entry written under this file carries, so an auditor can find the file again
        var version = io.harbormaster.bot.config.HarbormasterConfig.policyVersionOf(OPEN);
        assertThat(version).matches("sha256:[0-9a-f]{12}");
        assertThat(run.out()).contains("policy version " + version);
        var edited = Files.writeString(dir.resolve("edited.yml"), OPEN.replace("[U01AAA]", "[U01AAA, U03CCC]"));
        assertThat(CliRun.of("config", "check", "--config", edited.toString()).out())
                .contains("policy version sha256:")
                .doesNotContain(version);
        assertThat(run.err().strip().lines())
                .singleElement()
                .asString()
                .startsWith("note: anyone in Slack may deploy, roll back, lock and unlock every service")
                .contains("defaults.deployers");
    }

    @Test
    void withDeployersItSaysNothingMoreAndAnUndefinedGroupIsAProblemWithItsLine(@TempDir Path dir) throws Exception {
        var guarded = Files.writeString(dir.resolve("ok.yml"), "defaults: {deployers: shippers}\n" + OPEN);
        var ok = CliRun.of("config", "check", "--config", guarded.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.err()).isEmpty();

        var typo = Files.writeString(
                dir.resolve("typo.yml"), OPEN.replace("approvers: ops}", "approvers: ops, deployers: shipers}"));
        var bad = CliRun.of("config", "check", "--config", typo.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err())
                .contains("typo.yml:5: services.web.deployers: no group 'shipers': define it under groups: (did you"
                        + " mean 'shippers'?)")
                .contains("1 problem in " + typo);

        var twice = Files.writeString(
                dir.resolve("twice.yml"),
                OPEN.replace("ops}", "ops, deployers: shipers}")
                        .replace("shippers: [U02BBB]", "shippers: [U02BBB]\n  empty: nope"));
        assertThat(CliRun.of("config", "check", "--config", twice.toString()).err())
                .containsPattern("\\d+ problems in " + java.util.regex.Pattern.quote(twice.toString()))
                .doesNotContain("problem(s)");
    }
}

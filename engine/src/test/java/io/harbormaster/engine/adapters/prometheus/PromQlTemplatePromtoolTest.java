package io.harbormaster.engine.adapters.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the template check takes, Prometheus' own parser takes too, and what it refuses, Prometheus refuses: each
 * template, rendered as the adapter renders it, is checked with {@code promtool check rules} (the installed
 * Prometheus 2; functions newer than it are taken by the check but cannot be confirmed here).
 */
class PromQlTemplatePromtoolTest {

    private static final String SEL = "service=\"{service}\",track=\"{track}\"";

    @TempDir
    Path dir;

    @BeforeEach
    void prometheus() {
        RealPrometheus.assumeInstalled();
    }

    @Test
    void everyTemplateTheCheckTakesIsValidPromQl() throws Exception {
        var templates = new java.util.ArrayList<>(PromQlTemplateShapeTest.VALID);
        for (var m : CanaryMetric.values()) {
            templates.add(PromQlTemplates.DEFAULTS.template(m));
        }
        for (var t : templates) {
            var rendered = PromQlTemplate.parse("p99", t).render("checkout", "shop", "canary", "30s");
            assertThat(promtool(rendered)).as(t).isEmpty();
        }
    }

    @Test
    void templatesTheCheckRefusesForTheirWordsArePromQlThatPrometheusRefusesToo() throws Exception {
        var refused = List.of(
                "sum(rat(x{" + SEL + "}[{interval}]))",
                "SUM(RATE(x{" + SEL + "}[{interval}]))",
                "histogram_quantil(0.99, sum by (le) (rate(x{" + SEL + "}[{interval}])))",
                "sum(rate(x{" + SEL + "}[{interval}])) by",
                "sum(x{" + SEL + "}) / on sum(y{" + SEL + "})",
                "sum(x{" + SEL + "} offset)",
                "sum(x{" + SEL + "}) offset");
        for (var t : refused) {
            assertThatThrownBy(() -> PromQlTemplate.parse("p99", t)).as(t).isInstanceOf(IllegalArgumentException.class);
            var rendered = t.replace("{service}", "checkout")
                    .replace("{track}", "canary")
                    .replace("{interval}", "30s");
            assertThat(promtool(rendered)).as(t).contains("parse error");
        }
    }

    /** What {@code promtool check rules} says of a rule file recording {@code expr}: empty when it passes. */
    private String promtool(String expr) throws IOException, InterruptedException {
        var file = dir.resolve("rules.yml");
        var quoted = "'" + expr.replace("'", "''").replace("\n", " ") + "'";
        Files.writeString(file, "groups:\n- name: g\n  rules:\n  - record: r\n    expr: " + quoted + "\n");
        var process = new ProcessBuilder(
                        RealPrometheus.binaries().orElseThrow().promtool().toString(),
                        "check",
                        "rules",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() == 0 ? "" : out;
    }
}

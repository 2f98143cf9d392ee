package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.sandbox.SandboxBenchmark;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster bench sandbox}: the pipeline's overhead from a /deploy to the canary, in a sandbox. */
@Command(
        name = "sandbox",
        mixinStandardHelpOptions = true,
        description = {
            "Start a sandbox in a throwaway directory, send low-risk /deploy commands (signed as Slack signs them), one"
                    + " service each at a steady pace, and time each from the request to the canary Deployment"
                    + " existing in the simulated cluster. The canary analysis does not run while it measures.",
            "Figures: sandbox_start_ms, warmup_deploys, warmup_p95_ms, intake_to_canary_p50_ms,"
                    + " intake_to_canary_p95_ms (target <= 500), intake_to_canary_max_ms, errors."
        })
final class BenchSandboxCommand implements Callable<Integer>, Interruption.CleansUp {
    @Spec
    CommandSpec spec;

    @Option(names = "--deploys", paramLabel = "N", description = "deploys to time (default: ${DEFAULT-VALUE})")
    int deploys = 200;

    @Option(
            names = "--pace-ms",
            paramLabel = "MS",
            description = "milliseconds between two /deploy commands (default: ${DEFAULT-VALUE})")
    long paceMs = 100;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "deploys sent first and reported apart (warmup_p95_ms), while the JVM compiles the"
                    + " pipeline's code (default: ${DEFAULT-VALUE})")
    int warmup = 30;

    @Option(names = "--json", description = "print the figures as one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SandboxBenchmark.Plan plan;
        try {
            plan = new SandboxBenchmark.Plan(deploys, Duration.ofMillis(paceMs), warmup);
        } catch (IllegalArgumentException e) {
            throw new UserError("--deploys/--pace-ms/--warmup: " + e.getMessage());
        }
        var figures = new SandboxBenchmark(plan, Interruption::stopRequested).run();
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            figures.forEach((k, v) -> out.printf("%-26s %s%n", k, v));
        }
        out.flush();
        return 0;
    }
}

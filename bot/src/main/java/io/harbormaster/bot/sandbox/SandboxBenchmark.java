package io.harbormaster.bot.sandbox;

import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.sandbox.SimulatedCi;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * The pipeline's own overhead (BENCHMARKS.md section 3): in a sandbox whose canary analysis is effectively off (its
 * first interval ends after the measurement), the time from a signed low-risk {@code /deploy} leaving the "Slack"
 * side to the canary Deployment existing in the simulated cluster. Each deploy is of its own service, so none waits
 * for another's rollout; they are sent at a steady pace.
 */
public final class SandboxBenchmark {
    /**
     * What to run.
     *
     * @param deploys how many deploys (and services) are timed
     * @param pace the time between two {@code /deploy}s
     * @param warmup how many deploys (of services of their own) go first, at the same pace, and are reported apart:
     *     a freshly started JVM runs the pipeline's code slowly until it is compiled, and that start-up cost is not
     *     the pipeline's steady overhead
     */
    public record Plan(int deploys, Duration pace, int warmup) {
        public Plan {
            if (deploys < 1 || deploys > 999) {
                throw new IllegalArgumentException("deploys must be between 1 and 999, got " + deploys);
            }
            if (warmup < 0 || warmup > 999) {
                throw new IllegalArgumentException("warm-up deploys must be between 0 and 999, got " + warmup);
            }
            if (pace.isNegative()) {
                throw new IllegalArgumentException("the pace cannot be negative");
            }
        }
    }

    private final Plan plan;

    private final BooleanSupplier stop;

    public SandboxBenchmark(Plan plan) {
        this(plan, () -> false);
    }

    /** @param stop whether to stop (Ctrl-C): checked before each /deploy and while waiting */
    public SandboxBenchmark(Plan plan, BooleanSupplier stop) {
        this.plan = plan;
        this.stop = stop;
    }

    private void stopIfAsked() throws InterruptedException {
        if (stop.getAsBoolean()) {
            throw new InterruptedException("the benchmark was asked to stop");
        }
    }

    /** Runs the benchmark in a throwaway data directory and returns its figures, in the order they are reported. */
    public Map<String, Object> run() throws IOException, InterruptedException {
        var services = IntStream.rangeClosed(1, plan.deploys())
                .mapToObj(i -> String.format("svc-%03d", i))
                .toList();
        var warmups = IntStream.rangeClosed(1, plan.warmup())
                .mapToObj(i -> String.format("warm-%03d", i))
                .toList();
        var all = new java.util.ArrayList<>(warmups);
        all.addAll(services);
        var dir = Files.createTempDirectory("harbormaster-bench-sandbox");
        var figures = new LinkedHashMap<String, Object>();
        try {
            long startedAt = System.nanoTime();
            try (var sandbox = Sandbox.start(new Sandbox.Settings(
                    dir, "127.0.0.1", 0, catalog(all), SimulatedCi.smallChanges(all), Duration.ofMillis(250)))) {
                figures.put("sandbox_start_ms", round((System.nanoTime() - startedAt) / 1e6));
                awaitAnnounced(sandbox, all);
                if (!warmups.isEmpty()) {
                    var warm = measure(sandbox, warmups);
                    figures.put("warmup_deploys", warmups.size());
                    figures.put("warmup_p95_ms", warm.getOrDefault("intake_to_canary_p95_ms", Double.NaN));
                }
                figures.putAll(measure(sandbox, services));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        return figures;
    }

    private Map<String, Object> measure(Sandbox sandbox, List<String> services) throws InterruptedException {
        var sent = new ConcurrentHashMap<String, Long>();
        var canary = new ConcurrentHashMap<String, Long>();
        sandbox.cluster().onChange(() -> {
            long now = System.nanoTime();
            for (var s : sent.keySet()) {
                if (!canary.containsKey(s)
                        && sandbox.cluster().workloads(sandbox.target(s)).containsKey(Track.CANARY)) {
                    canary.put(s, now);
                }
            }
        });
        var engineer = Sandbox.PERSONAS.getFirst();
        var from = new SlackRequests.Origin(engineer.id(), engineer.name(), Sandbox.CHANNEL, Sandbox.CHANNEL_NAME);
        int errors = 0;
        long next = System.nanoTime();
        for (var s : services) {
            stopIfAsked();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += plan.pace().toNanos();
            sent.put(s, System.nanoTime());
            var response = sandbox.requests().slashCommand(from, "/deploy", s + " 1.0.1");
            if (response.statusCode() != 200) {
                errors++;
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (canary.size() < services.size() - errors && System.nanoTime() < deadline) {
            stopIfAsked();
            Thread.sleep(20);
        }
        double[] ms = services.stream()
                .filter(canary::containsKey)
                .mapToDouble(s -> (canary.get(s) - sent.get(s)) / 1e6)
                .sorted()
                .toArray();
        var out = new LinkedHashMap<String, Object>();
        out.put("deploys", services.size());
        out.put("canaries_created", ms.length);
        out.put("errors", errors + (services.size() - errors - ms.length));
        out.put("pace_ms", plan.pace().toMillis());
        if (ms.length > 0) {
            out.put("intake_to_canary_p50_ms", round(quantile(ms, 0.50)));
            out.put("intake_to_canary_p95_ms", round(quantile(ms, 0.95)));
            out.put("intake_to_canary_max_ms", round(ms[ms.length - 1]));
        }
        return out;
    }

    private static void awaitAnnounced(Sandbox sandbox, List<String> services) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (services.stream()
                .anyMatch(s -> sandbox.bot().builds().find(s, "1.0.1").isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the simulated CI's builds were not announced within 60 s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * One low-criticality service per deploy, with a canary whose first interval lasts a minute: the analysis does not
     * run while the benchmark measures, so what is timed is intake, risk, preflight and the cluster calls.
     */
    static String catalog(List<String> services) {
        var yaml = new StringBuilder("""
                groups:
                  approvers: [U0APPROVER]
                  auditors: [U0AUDITOR]
                audit:
                  auditors: auditors
                defaults:
                  channel: "#deploys"
                  canary:
                    interval_seconds: 60
                    min_step_seconds: 600
                    steps: [{weight: 5, intervals: 10}]
                services:
                """);
        for (var s : services) {
            yaml.append("  ").append(s).append(": {namespace: bench, approvers: approvers, criticality: low}\n");
        }
        return yaml.toString();
    }

    static double quantile(double[] sorted, double q) {
        // Nearest rank: the smallest value with at least q of the values at or below it.
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

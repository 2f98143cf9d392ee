package io.harbormaster.bot.cli;

import picocli.CommandLine.Option;

/** The canary benchmarks' shared options: how many seeded runs per scenario, the seed, and JSON output. */
final class ScenarioRuns {
    @Option(names = "--runs", defaultValue = "300", description = "Runs per scenario (default 300).")
    int runs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default 1).")
    long seed;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Refuses fewer than one run. */
    void check() {
        if (runs < 1) {
            throw new UserError("--runs must be at least 1 (BENCHMARKS.md asks for 300), got " + runs);
        }
    }
}

package io.harbormaster.bot.cli;

import io.harbormaster.bot.assembly.RiskModels;
import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.text.Numbers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster config}: check a harbormaster.yml, or print an example to start from. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Check harbormaster.yml, or print a commented example to start from.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Example.class})
final class ConfigCommand {
    /** {@code config check}: every problem, one line each, with file, line, key and fix. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Validate a configuration file; exit code 0 when it is usable, 1 with every problem listed.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "the file (default: $HARBORMASTER_CONFIG, else ./harbormaster.yml)")
        Path file;

        @Override
        public Integer call() {
            var path = file != null
                    ? file
                    : Path.of(System.getenv().getOrDefault("HARBORMASTER_CONFIG", "harbormaster.yml"));
            try {
                var config = ConfigLoader.load(path);
                var out = spec.commandLine().getOut();
                out.printf(
                        "%s is valid: %d services, %d groups, %d freezes; policy version %s%n",
                        path,
                        config.catalog().services().size(),
                        config.catalog().groups().size(),
                        config.catalog().freezes().size(),
                        config.policyVersion());
                out.println(RiskModels.withoutDatabase(config.risk())
                        .map(RiskModels::describe)
                        .orElse("risk model: the database's active model (risk.model: database), the newest"
                                + " `harbormaster risk train --store` stored; read and checked when serve starts"));
                out.flush();
                config.openToAnyoneNote().ifPresent(note -> {
                    var err = spec.commandLine().getErr();
                    err.println("note: " + note);
                    err.flush();
                });
                return 0;
            } catch (ConfigException e) {
                var err = spec.commandLine().getErr();
                e.problems().forEach(err::println);
                err.printf("%s in %s%n", Numbers.count(e.problems().size(), "problem", "problems"), path);
                err.flush();
                return 1;
            }
        }
    }

    /** {@code config example}: the commented example configuration. */
    @Command(
            name = "example",
            mixinStandardHelpOptions = true,
            description = "Print a commented example harbormaster.yml.")
    static final class Example implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            var out = spec.commandLine().getOut();
            out.print(example());
            out.flush();
        }
    }

    /** The example file shipped in the jar. */
    static String example() {
        try (var in = ConfigLoader.class.getResourceAsStream("harbormaster.example.yml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

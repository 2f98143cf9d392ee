package io.harbormaster.bot.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/** Sandboxes for tests: the sandbox's own catalog, with canaries twice as fast again so a test takes less time. */
final class SandboxTesting {
    private SandboxTesting() {}

    static Sandbox.Settings fastSettings(Path data) {
        return new Sandbox.Settings(
                data,
                "127.0.0.1",
                0,
                fastCatalog(),
                io.harbormaster.sandbox.SimulatedCi.standard(),
                Duration.ofMillis(200));
    }

    static String fastCatalog() {
        var yaml = Sandbox.defaultCatalog();
        yaml = replace(yaml, "interval_seconds: 2", "interval_seconds: 1");
        yaml = replace(yaml, "min_step_seconds: 6", "min_step_seconds: 3");
        yaml = replace(yaml, "min_promote_seconds: 42", "min_promote_seconds: 10");
        yaml = replace(yaml, "last_step_after_seconds: 32", "last_step_after_seconds: 6");
        yaml = replace(yaml, "promote_by_seconds: 48", "promote_by_seconds: 12");
        yaml = replace(yaml, "closing_test_seconds: 68", "closing_test_seconds: 12");
        yaml = replace(yaml, "intervals: 18", "intervals: 6");
        yaml = replace(yaml, "readiness_timeout: 1m", "readiness_timeout: 5s");
        return yaml;
    }

    private static String replace(String yaml, String from, String to) {
        if (!yaml.contains(from)) {
            throw new IllegalStateException("the sandbox catalog no longer says '" + from + "': update SandboxTesting");
        }
        return yaml.replace(from, to);
    }
}

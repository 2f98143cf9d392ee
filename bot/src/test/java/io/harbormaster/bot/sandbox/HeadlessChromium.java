package io.harbormaster.bot.sandbox;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's chromium, headless, driven by Playwright, which is told never to download a browser of its own. Without
 * chromium the browser tests are skipped loudly on a developer machine and fail under {@code CI=true}, where .ci/run
 * installs it.
 */
final class HeadlessChromium implements AutoCloseable {
    private final Playwright playwright;
    private final Browser browser;

    private HeadlessChromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static HeadlessChromium launch() throws IOException {
        var executable = executable();
        var playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            var browser = playwright
                    .chromium()
                    .launch(new BrowserType.LaunchOptions()
                            .setExecutablePath(executable)
                            .setHeadless(true)
                            .setArgs(List.of(
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    // Playwright gives each launch a new temporary --user-data-dir itself.
                                    "--no-first-run")));
            return new HeadlessChromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    Browser browser() {
        return browser;
    }

    private static Path executable() {
        var configured = System.getenv("HARBORMASTER_TEST_CHROMIUM");
        var candidates = configured != null && !configured.isBlank()
                ? List.of(Path.of(configured))
                : List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
        for (var c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        var message = "chromium is not installed (looked at " + candidates + "): apt-get install chromium (.ci/run does"
                + " this in CI), or point HARBORMASTER_TEST_CHROMIUM at a Chromium binary";
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        System.err.println("SKIPPED browser test: " + message);
        assumeTrue(false, message);
        throw new IllegalStateException("unreachable");
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}

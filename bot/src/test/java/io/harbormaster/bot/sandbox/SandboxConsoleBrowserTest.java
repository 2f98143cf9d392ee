package io.harbormaster.bot.sandbox;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first minutes, in a real headless Chromium against a real sandbox: every step is typing in the
 * console's composer, clicking its buttons and switching who you are, and every check is on what the page shows. A
 * screenshot of each step goes to {@code bot/target/sandbox-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxConsoleBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "sandbox-screenshots");
    static final double LONG = 120_000;

    @TempDir
    static Path data;

    Sandbox sandbox;
    HeadlessChromium chromium;
    Page page;
    int shot;

    @BeforeAll
    void start() throws Exception {
        chromium = HeadlessChromium.launch();
        sandbox = Sandbox.start(SandboxTesting.fastSettings(data));
        Files.createDirectories(SCREENSHOTS);
        page = chromium.browser()
                .newPage(new com.microsoft.playwright.Browser.NewPageOptions().setViewportSize(1600, 1000));
        page.navigate(sandbox.address().toString());
    }

    @AfterAll
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void messageTextCannotForgeTheRenderersPlaceholdersOrLinksThatRunScript() {
        // The renderer swaps links and code for \u0000-\u0002 placeholders while it formats; text that carries them
        // itself must neither pull in another piece nor break the page.
        assertThat((String) page.evaluate("mrkdwn('a \\u00000\\u0000 b `c` <https://example.org|site>')"))
                .isEqualTo(
                        "a 0 b <code>c</code> <a href=\"https://example.org\" target=\"_blank\" rel=\"noopener\">site</a>");
        assertThat((String) page.evaluate("mrkdwn('\\u00017\\u0001 \\u00029\\u0002')"))
                .isEqualTo("7 9");
        assertThat((String) page.evaluate(
                        "button({type: 'button', url: 'javascript:alert(1)', action_id: 'x', text: {type: 'plain_text',"
                                + " text: 'Open'}}, 'b', {ts: '1.0'})"))
                .doesNotContain("href")
                .contains("data-action-id=\"x\"");
        assertThat((String) page.evaluate("mrkdwn('<javascript:alert(1)|click>')"))
                .isEqualTo("click");
    }

    @Test
    void aNewcomerDeploysGetsRefusedAsAuthorApprovesAsApproverWatchesARollbackAndAudits() throws Exception {
        assertThat(page.getByTestId("workspace")).hasText("Harbormaster sandbox");
        assertThat(page.getByTestId("timing")).containsText("five times faster");
        assertThat(page.getByTestId("service-checkout")).containsText("stable 1.4.0");
        screenshot("console");

        // 1. A low-risk build goes through every canary step to promotion on its own.
        be("Ana (engineer)");
        type("/deploy checkout 1.4.1");
        var checkout = topLevel("checkout 1.4.1 → production");
        appears(checkout);
        openThread(checkout);
        shows(thread(), "Risk");
        assertThat(thread()).containsText("proceeds without a human");
        shows(thread(), "Canary step 1/3");
        screenshot("low-risk-canary-running");

        // 2. The build with a schema migration waits for an approver; its author cannot approve it.
        type("/deploy payments 3.0.0");
        var payments = topLevel("payments 3.0.0 → production");
        shows(payments, "waiting for 1 approval");
        openThread(payments);
        shows(thread(), "Approval needed");
        assertThat(thread()).containsText("V12__refund_reasons.sql");
        assertThat(thread()).containsText("schema-migration");
        thread().getByTestId("button-deploy_approve").click();
        var refusal = ephemeral("you wrote this change and requested this deploy");
        appears(refusal);
        assertThat(refusal).containsText("Only visible to you");
        assertThat(thread().getByTestId("button-deploy_approve")).isVisible();
        screenshot("author-refused");

        // Omar, the approver, does not see Ana's refusal, and his click is accepted.
        be("Omar (approver)");
        assertThat(refusal).isHidden();
        thread().getByTestId("button-deploy_approve").click();
        shows(thread(), "Approved by");
        // The advisor's context package follows in the thread when it is written (it never holds the deploy up).
        shows(thread(), "Context package for payments 3.0.0");
        shows(thread(), "Check first");
        assertThat(thread().getByTestId("button-deploy_approve")).hasCount(0);
        screenshot("approved-by-approver");

        // 3. The faulty build is rolled back automatically, and the notice is broadcast to the channel.
        be("Ana (engineer)");
        type("/deploy search 5.2.0");
        var notice = page.getByTestId("messages")
                .getByTestId("message")
                .filter(new Locator.FilterOptions().setHasText("Rolled back search 5.2.0"))
                .filter(new Locator.FilterOptions().setHasText("replied to a thread"));
        appears(notice);
        assertThat(notice).containsText("error_rate");
        assertThat(notice).containsText("incident #");
        assertThat(page.getByTestId("service-search")).containsText("stable 5.1.0");
        assertThat(page.getByTestId("service-search")).not().containsText("canary");
        screenshot("automatic-rollback");

        // The notice's link to the deploy thread opens the thread as a page, and from there in the console.
        var linked = chromium.browser()
                .newPage(new com.microsoft.playwright.Browser.NewPageOptions().setViewportSize(1600, 1000));
        try {
            linked.navigate(notice.getByText("deploy thread").getAttribute("href"));
            assertThat(linked.locator("h1")).hasText("Thread in #deploys");
            assertThat(linked.locator("body")).containsText("search 5.2.0 → production");
            assertThat(linked.locator("body")).containsText("Rolled back search 5.2.0");
            linked.screenshot(new Page.ScreenshotOptions()
                    .setPath(SCREENSHOTS.resolve(String.format("%02d-%s.png", ++shot, "thread-permalink"))));
            linked.getByTestId("open-in-console").click();
            assertThat(linked.getByTestId("thread")).isVisible();
            shows(linked.getByTestId("thread-messages"), "Rolled back search 5.2.0");
            assertThat(linked.getByTestId("thread-messages")).containsText("search 5.2.0 → production");
        } finally {
            linked.close();
        }

        // The low-risk build has been promoted meanwhile: its parent message says so and the cluster runs it.
        shows(checkout, "promoted");
        shows(page.getByTestId("service-checkout"), "stable 1.4.1");

        // CI asking to deploy what is live already is refused, and the console says so as a refusal, with why.
        page.getByTestId("build-checkout-1.4.1").getByText("Deploy from CI").click();
        var toast = page.getByTestId("toast");
        shows(toast, "Harbormaster refused CI's request to deploy checkout 1.4.1");
        assertThat(toast).containsText("already live");
        assertThat(toast).hasClass(java.util.regex.Pattern.compile("\\brefused\\b"));
        assertThat(toast).not().containsText("CI asked Harbormaster to deploy");
        assertThat(page.getByTestId("messages")
                        .getByTestId("message")
                        .filter(new Locator.FilterOptions().setHasText("checkout 1.4.1 → production")))
                .hasCount(1);
        screenshot("ci-deploy-refused");

        // 4. Only the auditor may run /audit; the summary links to exports that open.
        type("/audit service=search");
        appears(ephemeral("auditor"));
        be("Audrey (auditor)");
        type("/audit service=search");
        var summary = ephemeral("Export");
        appears(summary);
        assertThat(summary).containsText("canary");
        screenshot("audit-summary");
        // The export is a download (Content-Disposition: attachment): fetch what the link points at, as the browser.
        var href = summary.getByText("CSV").getAttribute("href");
        var csv = page.request().get(href);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.text()).contains(",search,5.2.0,", "canary.rollback").doesNotContain(",checkout,");
        var json = page.request().get(summary.getByText("JSON").getAttribute("href"));
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.text()).contains("\"canary.rollback\"");
        var forged = page.request().get(href.replaceFirst("sig=[^&]+", "sig=AAAA"));
        assertThat(forged.status()).isEqualTo(403);

        type("/audit verify");
        var verified = ephemeral("Audit log");
        appears(verified);
        assertThat(verified).containsText("Audit log intact");
        assertThat(verified).containsText("signed checkpoint");
        screenshot("audit-verify");

        // The approved migration reached production too.
        shows(payments, "promoted");
        screenshot("all-done");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    void be(String persona) {
        page.getByTestId("persona").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel(persona));
    }

    void type(String text) {
        var composer = page.getByTestId("composer");
        composer.fill(text);
        composer.press("Enter");
        assertThat(composer).hasValue("");
    }

    Locator topLevel(String text) {
        return page.getByTestId("messages")
                .getByTestId("message")
                .filter(new Locator.FilterOptions().setHasText(text))
                .first();
    }

    Locator ephemeral(String text) {
        return page.getByTestId("messages")
                .locator(".message.ephemeral")
                .filter(new Locator.FilterOptions().setHasText(text))
                .last();
    }

    Locator thread() {
        return page.getByTestId("thread");
    }

    void openThread(Locator parent) {
        parent.getByTestId("replies").click();
        assertThat(thread()).isVisible();
    }

    /** Waits (up to two minutes: a canary takes a while) until {@code what} is on the page. */
    static void appears(Locator what) {
        assertThat(what).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(LONG));
    }

    /** Waits until {@code where} shows {@code text}. */
    static void shows(Locator where, String text) {
        assertThat(where).containsText(text, new LocatorAssertions.ContainsTextOptions().setTimeout(LONG));
    }

    void screenshot(String name) {
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve(String.format("%02d-%s.png", ++shot, name)))
                .setFullPage(false));
    }
}

package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.MIGRATION;
import static io.harbormaster.bot.assembly.InProcessBot.SMALL_CHANGE;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static io.harbormaster.storage.jooq.Tables.AUDIT_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.llm.OpenAiStandIn;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The advisor through the whole bot: a chat model configured in harbormaster.yml (the OpenAI-compatible stand-in,
 * reached through LangChain4j's real client), the real embedding model, the Slack stand-in's threads, the audit log
 * and the incident in the database, and /metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdvisorEndToEndTest {
    static final List<String> SERVICES = List.of("ledger", "billing", "catalog");
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * With the model's address for %s. The canary keeps the shipped bake time before a promotion: none of these
     * deploys is promoted.
     */
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
            defaults:
              canary:
                min_promote_seconds: null
            advisor:
              provider: openai
              base_url: %s
              model: test-model
              timeout: 5s
            services:
              ledger: {namespace: shop, approvers: approvers}
              billing: {namespace: shop, approvers: approvers, dependencies: {ledger: {}}}
              catalog: {namespace: shop, approvers: approvers}
            """;

    OpenAiStandIn model;
    InProcessBot bot;

    /** The model's stand-in first, for the config to name it; the bot is closed before it. */
    @BeforeAll
    void start() {
        model = OpenAiStandIn.start().content(AdvisorEndToEndTest::answer);
        bot = InProcessBot.start(InProcessBot.Options.of(
                        "advisor-e2e",
                        InProcessBot.harbormasterYml(CONFIG.formatted(model.baseUrl())),
                        users(ALICE, BOB),
                        SERVICES)
                .withMetricsSeed(11));
    }

    @AfterAll
    void stop() {
        bot.close();
        model.close();
    }

    /** The stand-in model's answers: cite facts that exist, and say what to check first. */
    static String answer(JsonNode request) {
        var input = request.path("messages").get(1).path("content").asText();
        return input.contains("incident hypothesis")
                ? "The error rate of the canary rose [F1] right after the change [F2].\nCheck first: the new error path."
                : "A schema change [F1] that ledger's dependents feel [F5].\nCheck first: the migration's lock time.";
    }

    @Test
    void anEscalatedDeployGetsAContextPackageWrittenByTheModelAndItsPromptIsAudited() throws Exception {
        model.mode(OpenAiStandIn.Mode.GOOD);
        bot.announceNewBuild("ledger", "2.0.0", MIGRATION);
        bot.requests().slashCommand(ALICE, "/deploy", "ledger 2.0.0");
        var parent = bot.await("the parent message", () -> bot.parent("ledger 2.0.0"));
        var advice = bot.await("the context package", () -> bot.reply(parent, "Context package"));
        var thread = bot.thread(parent);
        assertThat(thread.indexOf(advice))
                .as("after the approval request")
                .isGreaterThan(indexOf(thread, EscalationMessages.APPROVE_ACTION));
        assertThat(advice.allText())
                .contains("A schema change [F1]", "the migration's lock time", "V7__orders.sql")
                .contains("billing depends on ledger")
                .contains("Summary written by test-model (openai)");

        var entry = bot.await("the advice's audit entry", () -> bot.db()
                .dsl()
                .selectFrom(AUDIT_ENTRY)
                .where(AUDIT_ENTRY.ACTION.eq("advice.context_package"))
                .fetchOptional()
                .orElse(null));
        assertThat(entry.getDecision()).isEqualTo("model");
        var reasoning = JSON.readTree(entry.getReasoning());
        var call = reasoning.path("model_call");
        assertThat(call.path("provider").asText()).isEqualTo("openai");
        assertThat(call.path("model").asText()).isEqualTo("test-model");
        var asked = model.requests().stream()
                .filter(r -> r.toString().contains("ledger"))
                .findFirst()
                .orElseThrow();
        var messages = asked.path("messages");
        assertThat(call.path("prompt_sha256").asText())
                .isEqualTo(io.harbormaster.engine.text.Texts.sha256(
                        messages.get(0).path("content").asText() + "\n\n"
                                + messages.get(1).path("content").asText()));
        assertThat(call.path("answer_sha256").asText())
                .isEqualTo(io.harbormaster.engine.text.Texts.sha256(answer(asked)));
        assertThat(call.has("latency_ms")).isTrue();
        assertThat(bot.scrape()).contains("harbormaster_advice_total{kind=\"context_package\",source=\"model\"}");
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void anAutomaticRollbackGetsAHypothesisInTheThreadAndOnTheIncident() {
        model.mode(OpenAiStandIn.Mode.GOOD);
        bot.metrics().inject("catalog", "3.0.0", Fault.errors(0.1));
        bot.announceNewBuild("catalog", "3.0.0", SMALL_CHANGE);
        bot.requests().slashCommand(ALICE, "/deploy", "catalog 3.0.0");
        var parent = bot.await("the parent message", () -> bot.parent("catalog 3.0.0"));
        var hypothesis = bot.await("the incident hypothesis", () -> bot.reply(parent, "Incident hypothesis"));
        var thread = bot.thread(parent);
        assertThat(thread.indexOf(hypothesis))
                .as("after the rollback notice")
                .isGreaterThan(thread.indexOf(thread.stream()
                        .filter(SlackStandIn.Message::replyBroadcast)
                        .findFirst()
                        .orElseThrow()));
        assertThat(hypothesis.allText()).contains("The error rate of the canary rose [F1]", "the new error path");
        var incident = bot.await("the hypothesis stored on the incident", () -> new JooqIncidentStore(bot.db())
                .recent("catalog", Instant.EPOCH).stream()
                        .filter(i -> i.hypothesis().contains("The error rate of the canary rose"))
                        .findFirst()
                        .orElse(null));
        assertThat(hypothesis.allText()).contains("incident #" + incident.id());
        assertThat(incident.hypothesis()).contains("Check first: the new error path.");
        assertThat(bot.scrape()).contains("harbormaster_advice_total{kind=\"incident_hypothesis\",source=\"model\"}");
    }

    @Test
    void aFailingModelIsReplacedByTheTemplateTextSaidInTheMessageAndCounted() {
        model.mode(OpenAiStandIn.Mode.SERVER_ERROR);
        bot.announceNewBuild("billing", "4.0.0", MIGRATION);
        bot.requests().slashCommand(ALICE, "/deploy", "billing 4.0.0");
        var parent = bot.await("the parent message", () -> bot.parent("billing 4.0.0"));
        var advice = bot.await("the context package", () -> bot.reply(parent, "Context package"));
        assertThat(advice.allText())
                .contains("Template text: the model test-model gave no usable answer (error)")
                .contains("billing 4.0.0 changes 2 files", "Check first:");
        assertThat(bot.scrape())
                .contains("harbormaster_advice_fallbacks_total{kind=\"context_package\",reason=\"error\"}");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static int indexOf(List<SlackStandIn.Message> thread, String containing) {
        for (int i = 0; i < thread.size(); i++) {
            if (thread.get(i).allText().contains(containing)) {
                return i;
            }
        }
        return -1;
    }
}

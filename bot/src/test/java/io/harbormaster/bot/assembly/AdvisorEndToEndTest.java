package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.EndToEndTest.await;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.storage.jooq.Tables.AUDIT_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.llm.OpenAiStandIn;
import io.harbormaster.engine.advice.Prompt;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    static final SlackRequests.Origin ALICE = EndToEndTest.ALICE;
    static final List<String> SERVICES = List.of("ledger", "billing", "catalog");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<SlackStandIn.User> USERS = List.of(
            new SlackStandIn.User("U0REQUESTER", "alice", "Alice Requester"),
            new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"));
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                max_no_data_seconds: 30
                steps: [{weight: 50, intervals: 6}]
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

    final HttpClient http = HttpClient.newHttpClient();

    OpenAiStandIn model;
    InProcessBot bot;
    SlackStandIn slack;
    Database db;
    SimulatedMetrics metrics;
    SlackRequests requests;

    @BeforeAll
    void start() {
        model = OpenAiStandIn.start().content(AdvisorEndToEndTest::answer);
        bot = InProcessBot.start(
                InProcessBot.Options.of("advisor-e2e", CONFIG.formatted(model.baseUrl()), USERS, SERVICES)
                        .withMetricsSeed(11));
        slack = bot.slack;
        db = bot.db;
        metrics = bot.metrics;
        requests = bot.requests;
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
        announce("ledger", "2.0.0", EndToEndTest.MIGRATION);
        requests.slashCommand(ALICE, "/deploy", "ledger 2.0.0");
        var parent = await("the parent message", () -> parent("ledger 2.0.0"));
        var advice = await("the context package", () -> reply(parent, "Context package"));
        var thread = slack.replies(CHANNEL, parent.ts());
        assertThat(thread.indexOf(advice))
                .as("after the approval request")
                .isGreaterThan(indexOf(thread, EscalationMessages.APPROVE_ACTION));
        assertThat(advice.allText())
                .contains("A schema change [F1]", "the migration's lock time", "V7__orders.sql")
                .contains("billing depend(s) on ledger")
                .contains("Summary written by test-model (openai)");

        var entry = await("the advice's audit entry", () -> db.dsl()
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
                .isEqualTo(Prompt.sha256(messages.get(0).path("content").asText() + "\n\n"
                        + messages.get(1).path("content").asText()));
        assertThat(call.path("answer_sha256").asText()).isEqualTo(Prompt.sha256(answer(asked)));
        assertThat(call.has("latency_ms")).isTrue();
        assertThat(metricsText()).contains("harbormaster_advice_total{kind=\"context_package\",source=\"model\"}");
        assertWithinBlockKitLimits();
    }

    @Test
    void anAutomaticRollbackGetsAHypothesisInTheThreadAndOnTheIncident() throws Exception {
        model.mode(OpenAiStandIn.Mode.GOOD);
        metrics.inject("catalog", "3.0.0", Fault.errors(0.1));
        announce("catalog", "3.0.0", EndToEndTest.SMALL_CHANGE);
        requests.slashCommand(ALICE, "/deploy", "catalog 3.0.0");
        var parent = await("the parent message", () -> parent("catalog 3.0.0"));
        var hypothesis = await("the incident hypothesis", () -> reply(parent, "Incident hypothesis"));
        var thread = slack.replies(CHANNEL, parent.ts());
        assertThat(thread.indexOf(hypothesis))
                .as("after the rollback notice")
                .isGreaterThan(thread.indexOf(thread.stream()
                        .filter(SlackStandIn.Message::replyBroadcast)
                        .findFirst()
                        .orElseThrow()));
        assertThat(hypothesis.allText()).contains("The error rate of the canary rose [F1]", "the new error path");
        var incident = await("the hypothesis stored on the incident", () -> new JooqIncidentStore(db)
                .recent("catalog", Instant.EPOCH).stream()
                        .filter(i -> i.hypothesis().contains("The error rate of the canary rose"))
                        .findFirst()
                        .orElse(null));
        assertThat(hypothesis.allText()).contains("incident #" + incident.id());
        assertThat(incident.hypothesis()).contains("Check first: the new error path.");
        assertThat(metricsText()).contains("harbormaster_advice_total{kind=\"incident_hypothesis\",source=\"model\"}");
    }

    @Test
    void aFailingModelIsReplacedByTheTemplateTextSaidInTheMessageAndCounted() throws Exception {
        model.mode(OpenAiStandIn.Mode.SERVER_ERROR);
        announce("billing", "4.0.0", EndToEndTest.MIGRATION);
        requests.slashCommand(ALICE, "/deploy", "billing 4.0.0");
        var parent = await("the parent message", () -> parent("billing 4.0.0"));
        var advice = await("the context package", () -> reply(parent, "Context package"));
        assertThat(advice.allText())
                .contains("Template text: the model test-model gave no usable answer (error)")
                .contains("billing 4.0.0 changes 2 file(s)", "Check first:");
        assertThat(metricsText())
                .contains("harbormaster_advice_fallbacks_total{kind=\"context_package\",reason=\"error\"}");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    void announce(String service, String version, String change) throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":false,"requested_by":"ci-bot",
                 "change":%s}""".formatted(service, version, service, version, service, version, change);
        var response = http.send(bot.deployRequest(body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
    }

    SlackStandIn.Message parent(String titleStart) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(titleStart))
                .findFirst()
                .orElse(null);
    }

    SlackStandIn.Message reply(SlackStandIn.Message parent, String containing) {
        return slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains(containing))
                .findFirst()
                .orElse(null);
    }

    static int indexOf(List<SlackStandIn.Message> thread, String containing) {
        for (int i = 0; i < thread.size(); i++) {
            if (thread.get(i).allText().contains(containing)) {
                return i;
            }
        }
        return -1;
    }

    String metricsText() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(bot.base + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    void assertWithinBlockKitLimits() {
        for (var m : slack.allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }
}

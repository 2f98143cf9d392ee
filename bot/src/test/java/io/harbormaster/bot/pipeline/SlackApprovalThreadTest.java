package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.BOT_TOKEN;
import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.RequestConfigurator;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.request.chat.ChatUpdateRequest;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.DeployDesk;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.bot.slack.SlackNotifier;
import io.harbormaster.bot.slack.SlackUser;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.Tables;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An escalated deploy's approvals as its Slack thread shows them, with the real pipeline, desk, front end and
 * notifier against the Slack stand-in: each approval is told in the thread before what it lets happen, and the
 * approval card keeps count until it is decided.
 */
class SlackApprovalThreadTest {
    static final SlackRequests.Origin DEV = new SlackRequests.Origin("U0DEV", "dev", CHANNEL, "deploys");
    static final SlackRequests.Origin ANN = new SlackRequests.Origin("U0ANN", "ann", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0BOB", "bob", CHANNEL, "deploys");
    /** Another approver (the migration's author, U0CAT, may not approve it). */
    static final SlackRequests.Origin DAN = new SlackRequests.Origin("U0DAN", "dan", CHANNEL, "deploys");

    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT, U0DAN]
            services:
              ledger:
                namespace: shop
                approvers: shop-approvers
                approvals: 2
              vault:
                namespace: shop
                approvers: shop-approvers
                approvals: 3
              billing:
                namespace: shop
                approvers: shop-approvers
            """;

    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    SlackBot bot;
    /** Other replicas' notifiers a test started, to stop after it. */
    final List<Runnable> replicas = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        db = SlackBot.database("approval");
        f = new PipelineFixture(db, CONFIG);
        slack = SlackBot.slack(
                new SlackStandIn.User("U0DEV", "dev", "Dev Requester"),
                new SlackStandIn.User("U0ANN", "ann", "Ann Approver"),
                new SlackStandIn.User("U0BOB", "bob", "Bob Approver"),
                new SlackStandIn.User("U0DAN", "dan", "Dan Approver"));
        bot = startBot();
    }

    /**
     * The bot, whose desk advances a deploy it was asked about at once, on the caller's thread, and answers an approval
     * that starts the rollout only once the rollout's first replies are in the thread ({@link RolloutFirstDesk}).
     */
    SlackBot startBot() {
        return new SlackBot(
                f,
                slack,
                "engine-a",
                engine -> engine::advance,
                desk -> new RolloutFirstDesk(desk, this::threadReplies));
    }

    @AfterEach
    void stop() {
        replicas.forEach(Runnable::run);
        bot.close();
        slack.close();
        db.close();
    }

    /** Stops the bot, once Slack has been quiet a while, and starts it again over the same database and Slack. */
    void restart() {
        await("Slack to be quiet before the restart", () -> slackIdle() ? true : null);
        bot.close();
        bot = startBot();
    }

    @Test
    void anApprovalIsToldInTheThreadOnceAndBeforeThePreflightAndCanaryItLetsRun() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        // the rollout's first replies land before the desk answers the click (see RolloutFirstDesk)
        approveLast(BOB, card);

        var replies = repliesBesides(card);
        assertThat(replies.stream().filter(t -> t.contains("Approved by")))
                .as("the approval, told once")
                .singleElement()
                .asString()
                .contains("Approved by <@U0BOB>: 1 approval of 1 needed; the deploy goes ahead");
        int approved = indexOf(replies, "Approved by <@U0BOB>");
        int preflight = indexOf(replies, "Preflight passed");
        int step = indexOf(replies, "Canary step 1/");
        assertThat(approved).as("the approval before the preflight it let run").isLessThan(preflight);
        assertThat(preflight).isLessThan(step);
        assertThat(replies.subList(0, approved)).noneMatch(t -> t.contains("Canary step"));
    }

    @Test
    void aPartialApprovalIsCountedOnTheCardWithWhoApprovedAndTheLastOneShowsTheDecision() {
        f.announce("ledger", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("ledger 2.0.0");
        assertThat(card.allText()).contains("0 approvals of 2 needed so far");

        // Ann's approval is the first of two: counted on the card, the buttons stay for the second
        approve(ANN, card);
        var counted = cardShowing(card, "1 approval of 2 needed so far");
        assertThat(counted.allText())
                .contains("1 approval of 2 needed so far (approved by <@U0ANN>)", EscalationMessages.APPROVE_ACTION)
                .doesNotContain("0 approvals of 2 needed");
        await(
                "Ann's approval in the thread",
                () -> first(m -> !m.ts().equals(card.ts())
                        && m.allText().contains("Approved by <@U0ANN>: 1 approval of 2 needed so far")));

        // Bob's is the last one needed: the card shows the decision where the buttons were
        var decided = approveLast(BOB, counted);
        assertClosed(decided, 2, "Approved by <@U0BOB>: 2 approvals of 2 needed; the deploy goes ahead");

        var replies = repliesBesides(card);
        assertThat(replies.stream().filter(t -> t.contains("Approved by <@U0ANN>")))
                .as("Ann's approval, told once")
                .hasSize(1);
        assertThat(replies.stream().filter(t -> t.contains("Approved by <@U0BOB>")))
                .as("Bob's approval, told once")
                .hasSize(1);
        assertThat(indexOf(replies, "Approved by <@U0ANN>")).isLessThan(indexOf(replies, "Approved by <@U0BOB>"));
    }

    @Test
    void withThreeApprovalsNeededTheCardNamesEachApproverInOrderUntilTheLast() {
        f.announce("vault", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("vault 2.0.0");
        assertThat(card.allText()).contains("0 approvals of 3 needed so far");

        approve(ANN, card);
        var one = cardShowing(card, "1 approval of 3 needed so far");
        approve(BOB, one);
        var two = cardShowing(card, "2 approvals of 3 needed so far");
        assertThat(two.allText())
                .contains(
                        "2 approvals of 3 needed so far (approved by <@U0ANN>, <@U0BOB>)",
                        EscalationMessages.APPROVE_ACTION);

        var decided = approveLast(DAN, two);
        assertClosed(decided, 3, "Approved by <@U0DAN>: 3 approvals of 3 needed; the deploy goes ahead");
    }

    @Test
    void aDecidedCardIsEditedOnceWithItsOutcome() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        var decided = approveLast(BOB, card);

        assertClosed(decided, 1, "Approved by <@U0BOB>: 1 approval of 1 needed; the deploy goes ahead", "Risk");
        assertThat(decided.edits()).isEqualTo(1);
    }

    @Test
    void aCardWithNoRecordIsClosedOnceFromTheClickOnIt() {
        // waiting for approval when the card's record came in (V8), or its record was lost: the notifier cannot find it
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");
        long id = Long.parseLong(deployId(card));
        await("the card's record", () -> new JooqSlackThreads(db).findCard(id).orElse(null));
        db.dsl()
                .deleteFrom(Tables.SLACK_APPROVAL_CARD)
                .where(Tables.SLACK_APPROVAL_CARD.DEPLOY_ID.eq(id))
                .execute();

        var decided = approveLast(BOB, card);

        assertClosed(decided, 1, "Approved by <@U0BOB>: 1 approval of 1 needed; the deploy goes ahead", "Risk");
        assertThat(repliesBesides(card).stream().filter(t -> t.contains("Approved by")))
                .as("the approval, told once in the thread")
                .hasSize(1);
    }

    @Test
    void aCardWhoseRecordCannotBeSavedStillLetsItsNoticeUpdateTheParentAndIsClosedFromTheClick() {
        db.dsl().execute("ALTER TABLE slack_approval_card RENAME TO slack_approval_card_away");
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        // the escalation's notice was delivered whole: the parent message is brought up to date after the card
        await("the parent message updated after the card was posted", () -> parentUpdatedAfterTheCard() ? true : null);

        var decided = approveLast(BOB, card);
        assertClosed(decided, 1, "Approved by <@U0BOB>: 1 approval of 1 needed; the deploy goes ahead");
    }

    @Test
    void aPartialCountThatArrivesOnceTheDeployIsDecidedLeavesTheCardClosed() {
        f.announce("ledger", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("ledger 2.0.0");
        var late = new CopyOnWriteArrayList<DeployNotice>();
        f.alsoNotify = n -> {
            if (isApprovalBy(n, ANN)) {
                late.add(n); // delivered below, once the deploy is decided
            } else {
                bot.notifier.notify(n);
            }
        };

        approve(ANN, card);
        await("Ann's approval counted", () -> late.isEmpty() ? null : true);
        approveLast(BOB, card);
        bot.notifier.notify(late.getFirst());
        await(
                "Ann's approval in the thread",
                () -> first(m -> m.allText().contains("Approved by <@U0ANN>: 1 approval of 2 needed so far")));
        await("Slack to be quiet", () -> slackIdle() ? true : null);

        var decided = slack.message(CHANNEL, card.ts()).orElseThrow();
        assertClosed(decided, 1, "Approved by <@U0BOB>: 2 approvals of 2 needed; the deploy goes ahead");
    }

    @Test
    void aCountThatLandsAfterAnotherReplicaClosedTheCardIsFollowedByTheDecisionAgain() {
        f.announce("ledger", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("ledger 2.0.0");
        // while the slower replica's count of Ann's approval is on its way, Bob's decides the deploy and this bot
        // closes the card
        var closedMeanwhile = annCountedByASlowerReplica(() -> {
            approve(BOB, card);
            await("the card closed by this bot", () -> slack.message(CHANNEL, card.ts())
                    .filter(m -> !m.allText().contains(EscalationMessages.APPROVE_ACTION))
                    .orElse(null));
        });

        approve(ANN, card);
        await("the canary's first step", () -> first(m -> m.allText().contains("Canary step 1")));
        await("Slack to be quiet", () -> slackIdle() ? true : null);

        assertThat(closedMeanwhile).isTrue();
        var texts = cardUpdates(card).stream().map(c -> c.args().get("text")).toList();
        assertThat(texts)
                .as("closed by this bot, counted over by the slower replica")
                .hasSizeGreaterThan(2);
        assertThat(texts.get(0)).startsWith("Approval closed");
        assertThat(texts.get(1)).startsWith("Approval needed");
        var decided = slack.message(CHANNEL, card.ts()).orElseThrow();
        // and closed again by the slower replica
        assertClosed(decided, 3, "Approved by <@U0BOB>: 2 approvals of 2 needed; the deploy goes ahead");
    }

    @Test
    void aSlowerReplicasCountDoesNotStayOverALaterOne() {
        f.announce("vault", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("vault 2.0.0");
        // while the slower replica's count of Ann's approval is on its way, this bot counts Bob's
        var overtaken = annCountedByASlowerReplica(() -> {
            approve(BOB, card);
            cardShowing(card, "2 approvals of 3 needed so far");
        });

        approve(ANN, card);
        await("Bob's approval in the thread", () -> first(m -> m.allText().contains("Approved by <@U0BOB>")));
        await("Slack to be quiet", () -> slackIdle() ? true : null);

        assertThat(overtaken).isTrue();
        var counted = slack.message(CHANNEL, card.ts()).orElseThrow();
        assertThat(counted.allText())
                .contains(
                        "2 approvals of 3 needed so far (approved by <@U0ANN>, <@U0BOB>)",
                        EscalationMessages.APPROVE_ACTION)
                .doesNotContain("1 approval of 3 needed");

        var decided = approveLast(DAN, counted);
        // counted by this bot, by the slower replica, again by it (the later count), then closed
        assertClosed(decided, 4, "Approved by <@U0DAN>: 3 approvals of 3 needed; the deploy goes ahead");
    }

    @Test
    void aBotRestartedMidApprovalStillCountsOnTheCardAndClosesIt() {
        f.announce("ledger", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("ledger 2.0.0");
        assertThat(card.allText()).contains("0 approvals of 2 needed so far");

        restart(); // the new bot never saw the card posted

        approve(ANN, card);
        var counted = cardShowing(card, "1 approval of 2 needed so far");
        assertThat(counted.allText())
                .contains("1 approval of 2 needed so far (approved by <@U0ANN>)", EscalationMessages.APPROVE_ACTION)
                .doesNotContain("0 approvals of 2 needed");
        // the card is the one posted before the restart, whole: the context package is still there
        assertThat(counted.blocksJson())
                .contains(
                        "Approval needed: ledger 2.0.0",
                        "Risk ",
                        "What changed",
                        "V7__orders.sql",
                        "requested by <@U0DEV>",
                        "shop-approvers");

        var decided = approveLast(BOB, counted);
        assertClosed(
                decided, 2, "Approved by <@U0BOB>: 2 approvals of 2 needed; the deploy goes ahead", "What changed");
    }

    @Test
    void aBotRestartedMidApprovalClosesTheCardWhenTheRequestExpires() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        restart();
        f.clock.advance(PipelineSettings.defaults("engine-a").approvalTimeout().plusMinutes(1));
        bot.engine.advance(Long.parseLong(deployId(card)));

        var expired = cardShowing(card, "Expired unanswered");
        assertClosed(expired, 1, EscalationMessages.EXPIRED);
        await("the expiry in the thread", () -> first(m -> m.allText().contains("Nobody decided in time")));
    }

    @Test
    void aDeployStoppedWhileItWaitsForApprovalLosesItsButtonsAndItsParentShowsItStopped() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        bot.requests.slashCommand(DEV, "/deploy", "rollback billing");

        var stopped = cardShowing(card, "Stopped by");
        await("Slack to be quiet", () -> slackIdle() ? true : null);
        assertClosed(
                slack.message(CHANNEL, card.ts()).orElseThrow(),
                1,
                "Stopped by <@U0DEV> with `/deploy rollback billing`");
        assertThat(stopped.allText()).contains("What changed");
        assertParentStoppedBy("U0DEV");
    }

    @Test
    void aClickOnTheCardOfAStoppedDeploySaysWhoStoppedItInWords() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");
        bot.requests.slashCommand(DEV, "/deploy", "rollback billing");
        cardShowing(card, "Stopped by");

        approve(BOB, card); // the card as Bob saw it before it was closed

        var answer = await("the answer to Bob's click", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(BOB.userId())))
                .filter(m -> m.text().contains("no longer waiting"))
                .findFirst()
                .orElse(null));
        assertThat(answer.text())
                .contains("no longer waiting for a decision: it was stopped by <@U0DEV> (/deploy rollback billing)")
                .doesNotContain("it is failed", "(it is");
        assertThat(f.deploys.approvals(Long.parseLong(deployId(card)))).isEmpty();
    }

    @Test
    void aBotRestartedMidApprovalClosesTheCardWhenTheDeployIsStopped() {
        f.announce("billing", "2.0.0", PipelineFixture.MIGRATION);
        var card = requestDeploy("billing 2.0.0");

        restart(); // the new bot never saw the card posted

        bot.requests.slashCommand(DEV, "/deploy", "rollback billing");
        cardShowing(card, "Stopped by");
        await("Slack to be quiet", () -> slackIdle() ? true : null);
        assertClosed(
                slack.message(CHANNEL, card.ts()).orElseThrow(),
                1,
                "Stopped by <@U0DEV> with `/deploy rollback billing`");
        assertParentStoppedBy("U0DEV");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** The deploy's parent message shows it stopped by {@code who}, no longer awaiting approval. */
    void assertParentStoppedBy(String who) {
        var parent = await("the parent showing the stop", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.text().contains(" 2.0.0 → "))
                .filter(m -> m.blocksJson().contains("stopped by"))
                .findFirst()
                .orElse(null));
        assertThat(parent.blocksJson())
                .contains("*failed*: stopped by <@" + who + ">")
                .doesNotContain("awaiting approval", "waiting for");
        assertThat(parent.text()).endsWith("stopped by <@" + who + ">");
    }

    /** Asks for {@code what} (e.g. "ledger 2.0.0") as the developer, and waits for its approval card. */
    SlackStandIn.Message requestDeploy(String what) {
        bot.requests.slashCommand(DEV, "/deploy", what);
        return await("the approval card", () -> first(m -> m.allText().contains(EscalationMessages.APPROVE_ACTION)));
    }

    /** {@code who} clicks Approve on the card as it is {@code shown} to them. */
    void approve(SlackRequests.Origin who, SlackStandIn.Message shown) {
        bot.requests.blockAction(
                who, EscalationMessages.APPROVE_ACTION, "escalation", deployId(shown), SlackStandIn.asSlackJson(shown));
    }

    /**
     * {@code who} gives the last approval needed, on the card as it is {@code shown} to them; returns the card once it
     * shows the decision, the canary has started and Slack has been quiet a while (every answer to the click made).
     */
    SlackStandIn.Message approveLast(SlackRequests.Origin who, SlackStandIn.Message shown) {
        approve(who, shown);
        await("the card to show the decision", () -> slack.message(CHANNEL, shown.ts())
                .filter(m -> !m.allText().contains(EscalationMessages.APPROVE_ACTION))
                .orElse(null));
        await("the canary's first step", () -> first(m -> m.allText().contains("Canary step 1")));
        await("Slack to be quiet", () -> slackIdle() ? true : null);
        return slack.message(CHANNEL, shown.ts()).orElseThrow();
    }

    /**
     * Asserts that the card, edited {@code edits} times in all, shows what it {@code shows} (its outcome first) where its
     * buttons and their line were.
     */
    void assertClosed(SlackStandIn.Message card, int edits, String... shows) {
        assertThat(cardUpdates(card)).as("chat.update calls on the card").hasSize(edits);
        assertThat(card.allText())
                .contains(shows)
                .doesNotContain(
                        "so far", "may decide", EscalationMessages.APPROVE_ACTION, EscalationMessages.REJECT_ACTION);
    }

    /** The card, once it shows {@code text}. */
    SlackStandIn.Message cardShowing(SlackStandIn.Message card, String text) {
        return await("the card to show " + text, () -> slack.message(CHANNEL, card.ts())
                .filter(m -> m.allText().contains(text))
                .orElse(null));
    }

    static boolean isApprovalBy(DeployNotice n, SlackRequests.Origin who) {
        return n instanceof DeployNotice.ApprovalCounted c
                && c.approval().approver().equals(who.userId());
    }

    /**
     * Ann's approvals are told to a slower replica, the rest to this bot: while the replica's first count is on its way
     * to the card, {@code meanwhile} runs. Returns whether it ran.
     */
    AtomicBoolean annCountedByASlowerReplica(Runnable meanwhile) {
        var ran = new AtomicBoolean();
        var slow = replica(text -> {
            if (text.startsWith("Approval needed") && ran.compareAndSet(false, true)) {
                meanwhile.run();
            }
        });
        f.alsoNotify = n -> (isApprovalBy(n, ANN) ? slow : bot.notifier).notify(n);
        return ran;
    }

    /**
     * The notifier of another replica of the bot, over the same database and Slack, whose {@code chat.update} calls
     * run {@code beforeUpdate} (given the text they write) before they reach Slack: a slow edit, held still.
     */
    SlackNotifier replica(Consumer<String> beforeUpdate) {
        var config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(slack.methodsUrlPrefix());
        var client = Slack.getInstance(config);
        var methods = client.methods(BOT_TOKEN);
        var slow = (MethodsClient) Proxy.newProxyInstance(
                MethodsClient.class.getClassLoader(), new Class<?>[] {MethodsClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("chatUpdate")
                            && args != null
                            && args.length == 1
                            && args[0] instanceof RequestConfigurator<?> configurator) {
                        @SuppressWarnings("unchecked")
                        var update = ((RequestConfigurator<ChatUpdateRequest.ChatUpdateRequestBuilder>) configurator)
                                .configure(ChatUpdateRequest.builder())
                                .build();
                        beforeUpdate.accept(update.getText());
                    }
                    try {
                        return method.invoke(methods, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var web = new SlackWebApi(
                slow, new BotMetrics(), new SlackWebApi.Settings(Duration.ofMillis(20), 2, Duration.ofSeconds(2)));
        var notifier = new SlackNotifier(
                web,
                new DeployThreads(new JooqSlackThreads(db)),
                f.deploys,
                f.builds,
                () -> f.catalog,
                Duration.ofSeconds(10));
        replicas.add(() -> {
            notifier.close();
            web.close();
            try {
                client.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return notifier;
    }

    /** Whether the parent message was updated after the approval card was posted (the escalation's notice did it). */
    boolean parentUpdatedAfterTheCard() {
        var parent = slack.messages(CHANNEL).stream()
                .filter(m -> m.text().contains(" 2.0.0 → "))
                .findFirst();
        if (parent.isEmpty()) {
            return false;
        }
        var calls = slack.calls();
        boolean cardPosted = false;
        for (var c : calls) {
            if (c.method().equals("chat.postMessage")
                    && c.args().getOrDefault("text", "").startsWith("Approval needed")) {
                cardPosted = true;
            } else if (cardPosted
                    && c.method().equals("chat.update")
                    && parent.get().ts().equals(c.args().get("ts"))) {
                return true;
            }
        }
        return false;
    }

    /** The {@code chat.update} calls made on the approval card. */
    List<SlackStandIn.Call> cardUpdates(SlackStandIn.Message card) {
        return slack.calls().stream()
                .filter(c -> c.method().equals("chat.update")
                        && card.ts().equals(c.args().get("ts")))
                .toList();
    }

    /**
     * The pipeline desk, answering an approval that starts the rollout only once the rollout's first replies are in the
     * thread: the pipeline runs preflight and starts the canary before it answers, and Slack may take the notifier's
     * replies before the front end's, so this is a timing that happens, held still.
     */
    record RolloutFirstDesk(PipelineDesk pipeline, Supplier<List<SlackStandIn.Message>> thread) implements DeployDesk {
        @Override
        public RequestOutcome requestDeploy(
                io.harbormaster.bot.slack.commands.DeployCommand.Deploy command,
                SlackUser requester,
                String channel,
                String key) {
            return pipeline.requestDeploy(command, requester, channel, key);
        }

        @Override
        public void threadOpened(long deployId, io.harbormaster.bot.slack.api.ThreadRef t) {
            pipeline.threadOpened(deployId, t);
        }

        @Override
        public List<io.harbormaster.bot.slack.messages.DeployView> status(Optional<String> service) {
            return pipeline.status(service);
        }

        @Override
        public ActionOutcome rollback(
                io.harbormaster.bot.slack.commands.DeployCommand.Rollback command,
                SlackUser who,
                String channel,
                String key) {
            return pipeline.rollback(command, who, channel, key);
        }

        @Override
        public ActionOutcome lock(
                io.harbormaster.bot.slack.commands.DeployCommand.Lock command, SlackUser who, String channel) {
            return pipeline.lock(command, who, channel);
        }

        @Override
        public ActionOutcome unlock(
                io.harbormaster.bot.slack.commands.DeployCommand.Unlock command, SlackUser who, String channel) {
            return pipeline.unlock(command, who, channel);
        }

        @Override
        public PauseOutcome decidePause(
                long deployId, SlackUser clicker, io.harbormaster.engine.rollout.PauseDecision.Choice choice) {
            return pipeline.decidePause(deployId, clicker, choice);
        }

        @Override
        public ReviewOutcome review(long deployId, SlackUser reviewer) {
            return pipeline.review(deployId, reviewer);
        }

        @Override
        public DecisionOutcome decide(long deployId, SlackUser clicker, Approval.Decision decision, String key) {
            var outcome = pipeline.decide(deployId, clicker, decision, key);
            if (outcome instanceof DecisionOutcome.Settled s && s.decision() == Approval.Decision.APPROVE) {
                await("the canary's first step before the desk answers", () -> thread.get().stream()
                        .filter(m -> m.allText().contains("Canary step 1"))
                        .findFirst()
                        .orElse(null));
            }
            return outcome;
        }
    }

    /** The replies in the thread of the one deploy each test makes. */
    List<SlackStandIn.Message> threadReplies() {
        var parent = slack.messages(CHANNEL).stream()
                .filter(m -> m.text().contains(" 2.0.0 → "))
                .findFirst();
        return parent.map(p -> slack.replies(CHANNEL, p.ts())).orElse(List.of());
    }

    /** The thread's replies but the approval card, as text. */
    List<String> repliesBesides(SlackStandIn.Message card) {
        return threadReplies().stream()
                .filter(m -> !m.ts().equals(card.ts()))
                .map(SlackStandIn.Message::allText)
                .toList();
    }

    SlackStandIn.Message first(Predicate<SlackStandIn.Message> which) {
        return threadReplies().stream().filter(which).findFirst().orElse(null);
    }

    /** No Slack call in the last half second: the answers to the last click have been made. */
    boolean slackIdle() {
        var calls = slack.calls();
        return !calls.isEmpty()
                && calls.getLast().at().isBefore(java.time.Instant.now().minusMillis(500));
    }

    static int indexOf(List<String> replies, String text) {
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    static String deployId(SlackStandIn.Message card) {
        var m = java.util.regex.Pattern.compile("deploy #(\\d+)").matcher(card.allText());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}

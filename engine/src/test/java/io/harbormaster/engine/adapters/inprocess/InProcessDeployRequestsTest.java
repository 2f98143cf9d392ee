package io.harbormaster.engine.adapters.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.intake.CiRequests;
import io.harbormaster.engine.intake.DeadLetterReason;
import io.harbormaster.engine.intake.DeployRequestHandler.Outcome;
import io.harbormaster.engine.intake.IntakeResult;
import io.harbormaster.engine.intake.IntakeStats;
import io.harbormaster.engine.intake.RecordingHandler;
import io.harbormaster.engine.intake.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessDeployRequestsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
    private static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(5));

    private final RecordingHandler handler = new RecordingHandler();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final InProcessDeployRequests intake = new InProcessDeployRequests(handler, RETRY, 2, CLOCK, pauses::add);

    @AfterEach
    void close() {
        intake.close();
    }

    private IntakeResult submit(String json) throws Exception {
        return intake.submit(Optional.of("payments"), json).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aValidMessageReachesTheHandlerUnderItsIdempotencyKey() throws Exception {
        IntakeResult result = submit(CiRequests.json(CiRequests.valid()));

        assertThat(result).isInstanceOfSatisfying(IntakeResult.Handled.class, handled -> {
            assertThat(handled.idempotencyKey()).isEqualTo("ci:payments/production/gha-8812345");
            assertThat(handled.outcome()).isInstanceOf(Outcome.Accepted.class);
        });
        assertThat(handler.entries()).containsOnlyKeys("ci:payments/production/gha-8812345");
        assertThat(intake.deadLetters()).isEmpty();
    }

    @Test
    void theSameMessageTwiceIsOneEntryAndOneDuplicate() throws Exception {
        submit(CiRequests.json(CiRequests.valid()));
        IntakeResult again = submit(CiRequests.json(CiRequests.valid()));

        assertThat(again).isInstanceOfSatisfying(IntakeResult.Handled.class, h -> assertThat(h.outcome())
                .isInstanceOf(Outcome.Duplicate.class));
        assertThat(handler.entries()).hasSize(1);
        assertThat(intake.stats().accepted()).isEqualTo(1);
        assertThat(intake.stats().duplicates()).isEqualTo(1);
    }

    @Test
    void aMalformedMessageIsDeadLetteredAsItArrivedWithTheReasonAndNeverHandled() throws Exception {
        String malformed = "{\"service\":\"payments\"}";
        IntakeResult result = submit(malformed);

        assertThat(result).isInstanceOf(IntakeResult.DeadLetter.class);
        assertThat(handler.deliveries()).isEmpty();
        DeadLetter dead = intake.deadLetters().getFirst();
        assertThat(dead.key()).contains("payments");
        assertThat(dead.valueText()).isEqualTo(malformed);
        assertThat(dead.reason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(dead.error()).contains("version: is missing").contains("change: is missing");
        assertThat(dead.at()).isEqualTo(CLOCK.instant());
        assertThat(intake.stats().invalid()).isEqualTo(1);
    }

    @Test
    void anAnnouncementWithAMisspeltChangeMetricIsDeadLetteredWholeNamingTheKeyToUse() throws Exception {
        var node = CiRequests.valid();
        var change = (com.fasterxml.jackson.databind.node.ObjectNode) node.get("change");
        change.remove("entropy");
        change.put("entrpy", 0.81);
        String typo = CiRequests.json(node);

        IntakeResult result = submit(typo);

        assertThat(result).isInstanceOf(IntakeResult.DeadLetter.class);
        assertThat(handler.deliveries()).isEmpty();
        DeadLetter dead = intake.deadLetters().getFirst();
        assertThat(dead.valueText()).isEqualTo(typo);
        assertThat(dead.reason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(dead.error()).contains("change.entrpy: unknown key 'entrpy' (did you mean 'entropy'?)");
    }

    @Test
    void theIntakeKeepsGoingAfterAMalformedMessage() throws Exception {
        submit("not json");
        submit(CiRequests.json(CiRequests.valid()));

        assertThat(handler.entries()).hasSize(1);
        assertThat(intake.stats()).isEqualTo(new IntakeStats(2, 1, 0, 0, 1, 0, 0, 0, 0, 0));
    }

    @Test
    void aHandlerFailureIsRetriedWithGrowingPausesUntilItSucceeds() throws Exception {
        handler.failing("ci:payments/production/gha-8812345", 2);
        IntakeResult result = submit(CiRequests.json(CiRequests.valid()));

        assertThat(result).isInstanceOfSatisfying(IntakeResult.Handled.class, h -> assertThat(h.attempts())
                .isEqualTo(3));
        assertThat(pauses).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(intake.stats().retries()).isEqualTo(2);
        assertThat(intake.deadLetters()).isEmpty();
    }

    @Test
    void aHandlerThatFailsEveryAttemptGetsItsMessageDeadLetteredWithTheLastError() throws Exception {
        handler.failing("ci:payments/production/gha-8812345", 5);
        IntakeResult result = submit(CiRequests.json(CiRequests.valid()));

        assertThat(result).isInstanceOf(IntakeResult.DeadLetter.class);
        DeadLetter dead = intake.deadLetters().getFirst();
        assertThat(dead.reason()).isEqualTo(DeadLetterReason.HANDLER_FAILED);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.error()).contains("handler failed 3 times for ").contains("database unavailable");
        assertThat(intake.stats().failed()).isEqualTo(1);
    }

    @Test
    void aRefusalIsAnAnswerNotAFailure() throws Exception {
        handler.refusing("payments");
        IntakeResult result = submit(CiRequests.json(CiRequests.valid()));

        assertThat(result).isInstanceOfSatisfying(IntakeResult.Handled.class, h -> assertThat(h.outcome())
                .isEqualTo(new Outcome.Refused("unknown service payments")));
        assertThat(intake.deadLetters()).isEmpty();
        assertThat(intake.stats().refused()).isEqualTo(1);
    }

    @Test
    void theDeadLetterListKeepsTheNewestWithinItsCapacityAndCountsWhatItDropped() throws Exception {
        submit("1");
        submit("2");
        submit("3");

        assertThat(intake.deadLetters()).extracting(DeadLetter::valueText).containsExactly("2", "3");
        assertThat(intake.deadLettersDropped()).isEqualTo(1);
        assertThat(intake.stats().invalid()).isEqualTo(3);
    }

    @Test
    void aMessageKeyedByAnotherNameThanItsServiceIsHandledAndCounted() throws Exception {
        intake.submit(Optional.of("gha-8812345"), CiRequests.json(CiRequests.valid()))
                .get(10, TimeUnit.SECONDS);
        assertThat(handler.entries()).hasSize(1);
        assertThat(intake.stats().misKeyed()).isEqualTo(1);
    }

    @Test
    void messagesAreHandledInSubmissionOrder() throws Exception {
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            versions.add("1.0." + i);
            intake.submit(
                    Optional.empty(),
                    CiRequests.valid("payments", "1.0." + i, "b-" + i)
                            .toString()
                            .getBytes(StandardCharsets.UTF_8));
        }
        assertThat(intake.close(Duration.ofSeconds(10))).isTrue();

        assertThat(handler.deliveries()).extracting(d -> d.request().version()).containsExactlyElementsOf(versions);
    }

    @Test
    void aSubmissionAfterCloseFailsInsteadOfVanishing() {
        intake.close();
        assertThat(intake.submit(Optional.empty(), "{}")).isCompletedExceptionally();
    }
}

package io.harbormaster.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A well-formed request the engine refuses (unknown service, another environment, a version announced with another
 * image) is committed, not dead-lettered: it is said in the log, with the reason, so it is not lost silently. Kafka
 * gives CI no answer to read.
 */
class IntakeRefusalLogTest {
    private final Logger logger = Logger.getLogger(IntakeProcessor.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    private static String text(LogRecord r) {
        var params = r.getParameters();
        return params == null ? r.getMessage() : java.text.MessageFormat.format(r.getMessage(), params);
    }

    @Test
    void aRefusedRequestIsLoggedWithWhereItCameFromAndWhy() {
        var processor = new IntakeProcessor(
                new RecordingHandler().refusing("payments"), RetryPolicy.DEFAULT, new IntakeCounters(), pause -> {});
        var message = CiRequests.valid("payments", "1.4.2", "gha-1").toString().getBytes(StandardCharsets.UTF_8);

        var result = processor.process(Optional.of("payments"), message, "deploy.requests/0@41");

        assertThat(result).isInstanceOf(IntakeResult.Handled.class);
        assertThat(((IntakeResult.Handled) result).outcome()).isInstanceOf(DeployRequestHandler.Outcome.Refused.class);
        assertThat(records)
                .filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(IntakeRefusalLogTest::text)
                .anySatisfy(line -> assertThat(line)
                        .contains("deploy.requests/0@41", "payments", "1.4.2", "refused", "unknown service payments"));
    }

    @Test
    void anAcceptedRequestIsNotLoggedAsAWarning() {
        var processor = new IntakeProcessor(new RecordingHandler(), RetryPolicy.DEFAULT, new IntakeCounters(), p -> {});
        var message = CiRequests.valid("payments", "1.4.2", "gha-1").toString().getBytes(StandardCharsets.UTF_8);

        processor.process(Optional.of("payments"), message, "deploy.requests/0@42");

        assertThat(records).noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue());
    }
}

package io.harbormaster.engine.intake;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link IntakeStats}; safe to update from any thread. */
public final class IntakeCounters {
    final LongAdder received = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder misKeyed = new LongAdder();
    final LongAdder deadLetterFailures = new LongAdder();
    final LongAdder commitFailures = new LongAdder();

    /** A record went to the dead-letter destination. */
    public void deadLettered(DeadLetterReason reason) {
        switch (reason) {
            case INVALID -> invalid.increment();
            case HANDLER_FAILED -> failed.increment();
        }
    }

    /** A dead-lettering attempt failed; the record is kept for another try. */
    public void deadLetterFailed() {
        deadLetterFailures.increment();
    }

    /** An offset commit failed; its records will be delivered again. */
    public void commitFailed() {
        commitFailures.increment();
    }

    public IntakeStats snapshot() {
        return new IntakeStats(
                received.sum(),
                accepted.sum(),
                duplicates.sum(),
                refused.sum(),
                invalid.sum(),
                failed.sum(),
                retries.sum(),
                misKeyed.sum(),
                deadLetterFailures.sum(),
                commitFailures.sum());
    }
}

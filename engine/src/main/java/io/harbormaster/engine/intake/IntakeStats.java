package io.harbormaster.engine.intake;

/**
 * Counts of one intake (a Kafka consumer or the in-process queue) since it started; for {@code /metrics}.
 *
 * @param received messages taken from the transport (redeliveries count again)
 * @param accepted handled as new requests
 * @param duplicates handled as repeats of an earlier request
 * @param refused well-formed, but refused by the engine
 * @param invalid refused by the parser and dead-lettered
 * @param failed dead-lettered after the handler failed every attempt
 * @param retries handler attempts after a failure
 * @param misKeyed Kafka records whose key was not their service (ordering per service is not guaranteed for them)
 * @param deadLetterFailures dead-lettering that failed; the record was kept to be processed again
 * @param commitFailures offset commits that failed; the records will be delivered again
 */
public record IntakeStats(
        long received,
        long accepted,
        long duplicates,
        long refused,
        long invalid,
        long failed,
        long retries,
        long misKeyed,
        long deadLetterFailures,
        long commitFailures) {

    /** Records dead-lettered, for either reason. */
    public long deadLettered() {
        return invalid + failed;
    }
}

package io.harbormaster.engine.adapters.kafka;

/**
 * Headers on a record in the dead-letter topic, next to the original key, value and headers (all kept as they were).
 * Values are UTF-8 text. To replay a record after fixing its cause, publish its key and value to the requests topic
 * again.
 */
public final class DeadLetterHeaders {
    /** {@code invalid} (the message was refused by the parser) or {@code handler-failed}. */
    public static final String REASON = "harbormaster.dlq.reason";
    /** What was wrong, for a person: every problem with the message, or the handler's last error. */
    public static final String ERROR = "harbormaster.dlq.error";

    public static final String SOURCE_TOPIC = "harbormaster.dlq.source.topic";
    public static final String SOURCE_PARTITION = "harbormaster.dlq.source.partition";
    public static final String SOURCE_OFFSET = "harbormaster.dlq.source.offset";
    /** The consumer group that gave up on the record. */
    public static final String GROUP = "harbormaster.dlq.group";
    /** Handler attempts made (0 for an invalid message). */
    public static final String ATTEMPTS = "harbormaster.dlq.attempts";
    /** When the record was dead-lettered, ISO-8601 UTC. */
    public static final String FAILED_AT = "harbormaster.dlq.failed.at";

    /** Longest error text kept in a header, in characters. */
    static final int MAX_ERROR = 8 * 1024;

    private DeadLetterHeaders() {}
}

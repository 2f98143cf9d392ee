package io.harbormaster.engine.adapters.kafka;

import io.harbormaster.engine.intake.RetryPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where Kafka is and how the bot uses it.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param clientId prefix of the client ids ({@code -intake}, {@code -dlq}, {@code -events} are appended); make it
 *     unique per replica (e.g. the pod name) so broker logs and quotas tell replicas apart
 * @param groupId the consumer group every replica of the bot shares
 * @param requestsTopic where CI publishes deploy requests, keyed by service
 * @param deadLetterTopic where refused and unhandled requests go, with the reason in headers
 * @param eventsTopic where deploy state changes are published, keyed by service
 * @param clientProperties passed to every client as they are: security ({@code security.protocol},
 *     {@code sasl.*}, {@code ssl.*}) and tuning; never logged with their values for secret-looking keys. The
 *     properties this adapter relies on ({@link #MANAGED}) cannot be overridden
 * @param handlerRetry how a failing handler is retried before its record is dead-lettered
 * @param pollTimeout how long one poll waits for records (also the longest a shutdown waits for an idle poll)
 * @param maxPollRecords records per poll: a batch is handled and committed before the next poll
 * @param sendTimeout how long a dead-letter or event send may take, broker retries included
 * @param shutdownTimeout how long {@code close()} waits for the record in hand to be finished and committed
 */
public record KafkaConfig(
        String bootstrapServers,
        String clientId,
        String groupId,
        String requestsTopic,
        String deadLetterTopic,
        String eventsTopic,
        Map<String, String> clientProperties,
        RetryPolicy handlerRetry,
        Duration pollTimeout,
        int maxPollRecords,
        Duration sendTimeout,
        Duration shutdownTimeout) {

    public static final String DEFAULT_REQUESTS_TOPIC = "deploy.requests";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "deploy.requests.dlq";
    public static final String DEFAULT_EVENTS_TOPIC = "deploy.events";
    public static final String DEFAULT_GROUP_ID = "harbormaster";
    public static final String DEFAULT_CLIENT_ID = "harbormaster";

    /** Client properties the adapter sets itself: overriding them would break ordering, delivery or commits. */
    public static final Set<String> MANAGED = Set.of(
            "bootstrap.servers",
            "client.id",
            "group.id",
            "enable.auto.commit",
            "key.deserializer",
            "value.deserializer",
            "key.serializer",
            "value.serializer",
            "acks",
            "enable.idempotence",
            "max.poll.records",
            "delivery.timeout.ms",
            "transactional.id");

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern SECRET = Pattern.compile(
            ".*(password|secret|jaas|token|credential|\\.key$|keystore\\.key|truststore\\.certificates).*");

    public KafkaConfig {
        requireText(bootstrapServers, "bootstrap servers");
        requireText(clientId, "client id");
        requireText(groupId, "group id");
        requireTopic(requestsTopic, "requests topic");
        requireTopic(deadLetterTopic, "dead-letter topic");
        requireTopic(eventsTopic, "events topic");
        if (requestsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("the dead-letter topic must differ from the requests topic");
        }
        Objects.requireNonNull(clientProperties, "client properties (use Map.of())");
        for (String key : clientProperties.keySet()) {
            if (MANAGED.contains(key)) {
                throw new IllegalArgumentException("Kafka client property " + key + " is set by Harbormaster and"
                        + " cannot be overridden (managed: " + new java.util.TreeSet<>(MANAGED) + ")");
            }
        }
        clientProperties = Map.copyOf(clientProperties);
        Objects.requireNonNull(handlerRetry, "handler retry");
        requirePositive(pollTimeout, "poll timeout");
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("max poll records must be at least 1, got " + maxPollRecords);
        }
        requirePositive(sendTimeout, "send timeout");
        Objects.requireNonNull(shutdownTimeout, "shutdown timeout");
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout must not be negative, got " + shutdownTimeout);
        }
    }

    /** Defaults for everything but the brokers: topics deploy.requests, deploy.requests.dlq, deploy.events. */
    public static KafkaConfig of(String bootstrapServers) {
        return new KafkaConfig(
                bootstrapServers,
                DEFAULT_CLIENT_ID,
                DEFAULT_GROUP_ID,
                DEFAULT_REQUESTS_TOPIC,
                DEFAULT_DEAD_LETTER_TOPIC,
                DEFAULT_EVENTS_TOPIC,
                Map.of(),
                RetryPolicy.DEFAULT,
                Duration.ofMillis(500),
                50,
                Duration.ofSeconds(60),
                Duration.ofSeconds(20));
    }

    public KafkaConfig withIds(String newClientId, String newGroupId) {
        return new KafkaConfig(
                bootstrapServers,
                newClientId,
                newGroupId,
                requestsTopic,
                deadLetterTopic,
                eventsTopic,
                clientProperties,
                handlerRetry,
                pollTimeout,
                maxPollRecords,
                sendTimeout,
                shutdownTimeout);
    }

    public KafkaConfig withTopics(String requests, String deadLetter, String events) {
        return new KafkaConfig(
                bootstrapServers,
                clientId,
                groupId,
                requests,
                deadLetter,
                events,
                clientProperties,
                handlerRetry,
                pollTimeout,
                maxPollRecords,
                sendTimeout,
                shutdownTimeout);
    }

    public KafkaConfig withClientProperties(Map<String, String> properties) {
        return new KafkaConfig(
                bootstrapServers,
                clientId,
                groupId,
                requestsTopic,
                deadLetterTopic,
                eventsTopic,
                properties,
                handlerRetry,
                pollTimeout,
                maxPollRecords,
                sendTimeout,
                shutdownTimeout);
    }

    public KafkaConfig withHandlerRetry(RetryPolicy retry) {
        return new KafkaConfig(
                bootstrapServers,
                clientId,
                groupId,
                requestsTopic,
                deadLetterTopic,
                eventsTopic,
                clientProperties,
                retry,
                pollTimeout,
                maxPollRecords,
                sendTimeout,
                shutdownTimeout);
    }

    public KafkaConfig withPolling(Duration timeout, int records) {
        return new KafkaConfig(
                bootstrapServers,
                clientId,
                groupId,
                requestsTopic,
                deadLetterTopic,
                eventsTopic,
                clientProperties,
                handlerRetry,
                timeout,
                records,
                sendTimeout,
                shutdownTimeout);
    }

    public KafkaConfig withShutdownTimeout(Duration timeout) {
        return new KafkaConfig(
                bootstrapServers,
                clientId,
                groupId,
                requestsTopic,
                deadLetterTopic,
                eventsTopic,
                clientProperties,
                handlerRetry,
                pollTimeout,
                maxPollRecords,
                sendTimeout,
                timeout);
    }

    /** The consumer of {@code requestsTopic}: manual commits, from the earliest record for a new group. */
    Map<String, String> consumerProperties() {
        Map<String, String> props = common("-intake");
        props.putIfAbsent("auto.offset.reset", "earliest");
        props.put("group.id", groupId);
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", Integer.toString(maxPollRecords));
        return props;
    }

    /** A producer that neither loses nor reorders nor duplicates on retry: acks=all, idempotent. */
    Map<String, String> producerProperties(String suffix) {
        Map<String, String> props = common(suffix);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms (30 s by default).
        long timeout = Math.max(sendTimeout.toMillis(), 35_000);
        props.put("delivery.timeout.ms", Long.toString(timeout));
        return props;
    }

    private Map<String, String> common(String suffix) {
        Map<String, String> props = new TreeMap<>(clientProperties);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", clientId + suffix);
        return props;
    }

    /** Client properties as they may be logged: secret-looking values replaced. */
    static Map<String, String> redacted(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) ->
                shown.put(k, SECRET.matcher(k.toLowerCase(Locale.ROOT)).matches() ? "****" : v));
        return shown;
    }

    @Override
    public String toString() {
        return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", clientId=" + clientId + ", groupId=" + groupId
                + ", requestsTopic=" + requestsTopic + ", deadLetterTopic=" + deadLetterTopic + ", eventsTopic="
                + eventsTopic + ", clientProperties=" + redacted(clientProperties) + ", handlerRetry=" + handlerRetry
                + ", pollTimeout=" + pollTimeout + ", maxPollRecords=" + maxPollRecords + ", sendTimeout="
                + sendTimeout + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Kafka " + what + " must not be blank");
        }
    }

    private static void requireTopic(String topic, String what) {
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("Kafka " + what + " must be 1 to 249 of [a-zA-Z0-9._-], got "
                    + (topic == null ? "nothing" : "\"" + topic + "\""));
        }
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, "Kafka " + what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("Kafka " + what + " must be positive, got " + d);
        }
    }
}

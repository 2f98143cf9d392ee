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

    /** The client properties the adapter sets itself, and why overriding each would break ordering, delivery or commits. */
    private static final Map<String, String> WHY_MANAGED = Map.ofEntries(
            Map.entry("bootstrap.servers", "the brokers are given as the bootstrap servers setting"),
            Map.entry(
                    "client.id",
                    "each client's id is the replica's client id plus -intake, -dlq or -events; set the client id"
                            + " setting instead"),
            Map.entry("group.id", "every replica must share one consumer group so that each request is handled once"),
            Map.entry(
                    "enable.auto.commit",
                    "offsets are committed only after a request is handled; auto-commit could lose requests"),
            Map.entry("key.deserializer", "the adapter reads keys and values as bytes itself"),
            Map.entry("value.deserializer", "the adapter reads keys and values as bytes itself"),
            Map.entry("key.serializer", "the adapter writes keys and values itself"),
            Map.entry("value.serializer", "the adapter writes keys and values itself"),
            Map.entry("acks", "events and dead letters must be acknowledged by all in-sync replicas (acks=all)"),
            Map.entry("enable.idempotence", "a retried send must neither duplicate nor reorder events"),
            Map.entry(
                    "max.poll.records",
                    "a polled batch is handled and committed before the next poll; its size is"
                            + " the adapter's max poll records"),
            Map.entry("delivery.timeout.ms", "it is derived from the adapter's send timeout"),
            Map.entry("transactional.id", "the producers are not transactional; a transactional id breaks every send"));

    /** Client properties the adapter sets itself: overriding them would break ordering, delivery or commits. */
    public static final Set<String> MANAGED = WHY_MANAGED.keySet();

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern CLIENT_ID = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final Pattern SECRET = Pattern.compile(".*(password|passphrase|secret|jaas|token|credential|"
            + "private\\.key|\\.key$|keystore\\.key|truststore\\.certificates|certificate\\.chain).*");
    /** Kafka's own list of client properties whose values are secret ({@code PASSWORD} in its config definitions). */
    private static final Set<String> PASSWORD_TYPED = passwordTyped();
    /** {@code name="value"} options inside a JAAS configuration whose values are secret. */
    private static final Pattern JAAS_SECRET_OPTION =
            Pattern.compile("([A-Za-z0-9_.-]*(?i:password|passphrase|secret|credentials?))"
                    + "\\s*=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s;\"']+))");

    public KafkaConfig {
        requireText(bootstrapServers, "bootstrap servers");
        requireClientId(clientId);
        requireText(groupId, "group id");
        requireTopic(requestsTopic, "requests topic");
        requireTopic(deadLetterTopic, "dead-letter topic");
        requireTopic(eventsTopic, "events topic");
        if (requestsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("the dead-letter topic must differ from the requests topic");
        }
        Objects.requireNonNull(clientProperties, "client properties (use Map.of())");
        var managed = clientProperties.keySet().stream()
                .filter(MANAGED::contains)
                .sorted()
                .map(key -> key + " (" + whyManaged(key) + ")")
                .toList();
        if (!managed.isEmpty()) {
            throw new IllegalArgumentException(
                    "Kafka client properties set by Harbormaster cannot be overridden: " + String.join("; ", managed));
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

    /** The properties of the clients that check the connection (the admin client). */
    Map<String, String> adminProperties(String suffix) {
        return common(suffix);
    }

    /** Why {@code key} is one of {@link #MANAGED}, or empty when it is not. */
    public static String whyManaged(String key) {
        return WHY_MANAGED.getOrDefault(key, "");
    }

    /** Whether {@code clientId} may name a replica's clients: 1 to 200 of {@code [a-zA-Z0-9._-]}. */
    public static boolean validClientId(String clientId) {
        return clientId != null && CLIENT_ID.matcher(clientId).matches();
    }

    /**
     * Whether the value of client property {@code key} is secret: Kafka types it as a password, or its name says so
     * (password, secret, JAAS configuration, token, credential, key material).
     */
    public static boolean isSecret(String key) {
        return PASSWORD_TYPED.contains(key)
                || SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** Client properties as they may be logged: secret values replaced by {@code ****}. */
    public static Map<String, String> redacted(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecret(k) ? "****" : v));
        return shown;
    }

    /**
     * {@code text} (an error message, say) with every secret of {@code properties} replaced by {@code ****}: the
     * values of secret properties, and the secret options inside a JAAS configuration ({@code password="..."}).
     */
    public static String scrub(String text, Map<String, String> properties) {
        if (text == null) {
            return null;
        }
        var secrets = new java.util.ArrayList<String>();
        properties.forEach((k, v) -> {
            if (isSecret(k) && v != null) {
                secrets.add(v.strip());
                var options = JAAS_SECRET_OPTION.matcher(v);
                while (options.find()) {
                    for (int group = 3; group <= 5; group++) {
                        if (options.group(group) != null) {
                            secrets.add(options.group(group));
                        }
                    }
                }
            }
        });
        // Longest first, so that a secret containing another is replaced whole.
        secrets.sort(java.util.Comparator.comparingInt(String::length).reversed());
        String scrubbed = text;
        for (String secret : secrets) {
            if (secret.length() >= 3) {
                scrubbed = scrubbed.replace(secret, "****");
            }
        }
        return scrubbed;
    }

    private static Set<String> passwordTyped() {
        var names = new java.util.TreeSet<String>();
        for (var definition : java.util.List.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
                org.apache.kafka.clients.producer.ProducerConfig.configDef(),
                org.apache.kafka.clients.admin.AdminClientConfig.configDef())) {
            definition.configKeys().values().stream()
                    .filter(k -> k.type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD)
                    .forEach(k -> names.add(k.name));
        }
        return Set.copyOf(names);
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

    private static void requireClientId(String clientId) {
        if (!validClientId(clientId)) {
            throw new IllegalArgumentException("Kafka client id must be 1 to 200 of [a-zA-Z0-9._-] (it names this"
                    + " replica's clients in the brokers' logs, metrics and quotas), got "
                    + (clientId == null ? "nothing" : "\"" + clientId + "\""));
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

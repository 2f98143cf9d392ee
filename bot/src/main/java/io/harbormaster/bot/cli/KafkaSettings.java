package io.harbormaster.bot.cli;

import io.harbormaster.engine.adapters.kafka.KafkaClientProperties;
import io.harbormaster.engine.adapters.kafka.KafkaConfig;
import io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code serve}'s Kafka settings from the environment: the brokers ({@code HARBORMASTER_KAFKA_BOOTSTRAP}), the client
 * properties file every client gets ({@code HARBORMASTER_KAFKA_PROPERTIES}: TLS, SASL, tuning) and this replica's
 * client id ({@code HARBORMASTER_KAFKA_CLIENT_ID}, else the pod's name from {@code HOSTNAME}). Anything unusable is an
 * {@link IllegalArgumentException} saying what to set; {@link #toString()} and every message show no secret value.
 *
 * @param config the adapter's settings, client properties and client id included
 * @param propertiesFile the client properties file, when one is named
 * @param clientIdSource where the client id came from, for the start-up note
 */
record KafkaSettings(KafkaConfig config, Optional<Path> propertiesFile, String clientIdSource) {
    static final String BOOTSTRAP = "HARBORMASTER_KAFKA_BOOTSTRAP";
    static final String PROPERTIES = "HARBORMASTER_KAFKA_PROPERTIES";
    static final String CLIENT_ID = "HARBORMASTER_KAFKA_CLIENT_ID";
    /** Set by Kubernetes to the pod's name (the container's host name). */
    static final String HOSTNAME = "HOSTNAME";

    private static final String CLIENT_ID_RULE = "1 to 200 of letters, digits, '.', '_' and '-'";

    /**
     * The settings, or empty when {@code HARBORMASTER_KAFKA_BOOTSTRAP} is not set (events then stay in-process).
     * Warnings about the properties file, and settings that go unused without Kafka, are said on {@code err}.
     */
    static Optional<KafkaSettings> fromEnvironment(Map<String, String> env, PrintWriter err) {
        var bootstrap = value(env, BOOTSTRAP);
        var properties = value(env, PROPERTIES);
        if (bootstrap.isEmpty()) {
            if (properties.isPresent()) {
                throw new IllegalArgumentException(PROPERTIES + " is set but " + BOOTSTRAP + " is not: set " + BOOTSTRAP
                        + " to the brokers' addresses (host:9093,...), or unset " + PROPERTIES
                        + " to run without Kafka (events then stay in-process)");
            }
            if (value(env, CLIENT_ID).isPresent()) {
                err.println("note: " + CLIENT_ID + " is set but " + BOOTSTRAP + " is not: Kafka is not used");
            }
            return Optional.empty();
        }
        var clientId = clientId(env);
        var config = KafkaConfig.of(bootstrap.get()).withIds(clientId.getKey(), KafkaConfig.DEFAULT_GROUP_ID);
        Optional<Path> file = Optional.empty();
        if (properties.isPresent()) {
            Path path;
            try {
                path = Path.of(properties.get());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(PROPERTIES + " is not a file path: " + e.getReason());
            }
            KafkaClientProperties read;
            try {
                read = KafkaClientProperties.read(path);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PROPERTIES + ": " + e.getMessage(), e);
            }
            read.warnings().forEach(w -> err.println("warning: " + PROPERTIES + ": " + w));
            config = config.withClientProperties(read.properties());
            file = Optional.of(path);
        }
        return Optional.of(new KafkaSettings(config, file, clientId.getValue()));
    }

    /** This replica's client id and where it came from: the variable, the pod's name, or the default. */
    private static Map.Entry<String, String> clientId(Map<String, String> env) {
        var configured = value(env, CLIENT_ID);
        if (configured.isPresent()) {
            if (!KafkaConfig.validClientId(configured.get())) {
                throw new IllegalArgumentException(CLIENT_ID + " must be " + CLIENT_ID_RULE + " (it names this"
                        + " replica's Kafka clients in the brokers' logs, metrics and quotas), got '" + configured.get()
                        + "'");
            }
            return Map.entry(configured.get(), CLIENT_ID);
        }
        var pod = value(env, HOSTNAME);
        if (pod.isPresent()) {
            if (!KafkaConfig.validClientId(pod.get())) {
                throw new IllegalArgumentException("the host name in " + HOSTNAME + " ('" + pod.get() + "') cannot"
                        + " name this replica's Kafka clients (" + CLIENT_ID_RULE + "): set " + CLIENT_ID);
            }
            return Map.entry(pod.get(), HOSTNAME);
        }
        return Map.entry(KafkaConfig.DEFAULT_CLIENT_ID, "the default; set " + CLIENT_ID + " to tell replicas apart");
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** One line for the start-up note: brokers, client id, and the client settings with secrets hidden. */
    String describe() {
        var settings = propertiesFile
                .map(f -> "client settings from " + f + ": "
                        + KafkaConfig.redacted(config.clientProperties()).entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(", ")))
                .orElse("no client settings (" + PROPERTIES + " is not set: PLAINTEXT, no authentication)");
        return "Kafka at " + config.bootstrapServers() + ", client id " + config.clientId() + " (" + clientIdSource
                + "), consumer group " + config.groupId() + "; " + settings;
    }

    /** What to change when the connection check failed. */
    String whatToDo(KafkaConnectionCheck.Problem problem) {
        var file = propertiesFile.map(Path::toString);
        return switch (problem) {
            case UNREACHABLE ->
                "check " + BOOTSTRAP + " and that this pod may reach those brokers (the NetworkPolicy, firewalls); "
                        + file.map(f -> "and that security.protocol in " + f + " is what the brokers' listener at"
                                        + " that address speaks")
                                .orElse("a listener that wants TLS or SASL does not answer a plain client either: name"
                                        + " a Kafka client properties file (security.protocol, sasl.*, ssl.*) in "
                                        + PROPERTIES);
            case AUTHENTICATION ->
                file.map(f -> "check the login (sasl.mechanism, sasl.jaas.config) and the TLS settings (ssl.*) in " + f)
                        .orElse("the brokers want clients to log in: name a Kafka client properties file"
                                + " (security.protocol, sasl.*, ssl.*) in " + PROPERTIES);
            case AUTHORIZATION ->
                "give this client's principal Describe and Read on topic " + config.requestsTopic() + " and group "
                        + config.groupId() + ", and Describe and Write on topics " + config.deadLetterTopic() + " and "
                        + config.eventsTopic();
            case CONFIGURATION ->
                "check " + BOOTSTRAP + file.map(f -> " and " + f).orElse("");
        };
    }

    @Override
    public String toString() {
        return "KafkaSettings[" + describe() + "]";
    }
}

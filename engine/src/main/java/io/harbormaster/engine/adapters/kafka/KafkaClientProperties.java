package io.harbormaster.engine.adapters.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Kafka client settings from a standard client properties file (what {@code kafka-console-consumer
 * --command-config} reads): {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and tuning, passed to every
 * client as {@link KafkaConfig#clientProperties()}.
 *
 * <p>A file that cannot be used is refused with every problem named: missing, a directory, unreadable, not a
 * properties file, setting a property the adapter manages ({@link KafkaConfig#MANAGED}, with why), an unknown
 * {@code security.protocol}, or SASL settings the protocol would ignore. What is probably a mistake but harmless to
 * pass on (a name Kafka does not know, TLS settings without TLS, an empty file) is a warning. No message and no
 * {@link #toString()} ever shows a secret value ({@link KafkaConfig#isSecret}).
 *
 * @param properties the settings, as read
 * @param warnings one line each, naming keys but never secret values
 */
public record KafkaClientProperties(Map<String, String> properties, List<String> warnings) {

    /** Larger than any client properties file; a bigger one is something else named by mistake. */
    static final long MAX_BYTES = 1 << 20;

    private static final Set<String> KNOWN = known();
    private static final Set<String> PROTOCOLS = Set.copyOf(SecurityProtocol.names());

    public KafkaClientProperties {
        properties = Map.copyOf(properties);
        warnings = List.copyOf(warnings);
    }

    /** Reads and checks {@code file}; an {@link IllegalArgumentException} says what is wrong and what to do. */
    public static KafkaClientProperties read(Path file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(file + " is a directory, not a properties file: name the file"
                        + " inside it (for a Secret mounted as a volume: the mount path plus the Secret's key, such"
                        + " as /etc/harbormaster-kafka/kafka.properties)");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is larger than 1 MiB: not a Kafka client properties file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist: mount the Kafka client properties file there"
                    + " (a Secret in Kubernetes)");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + " cannot be read by this process (permission denied): make it"
                    + " readable by the bot's user (a Secret volume's defaultMode, or the pod's fsGroup)");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException(file + " is binary (a keystore or truststore?), not a Kafka"
                        + " client properties file: name key stores inside the properties file"
                        + " (ssl.keystore.location, ssl.truststore.location)");
            }
        }
        try {
            return parse(new String(bytes, StandardCharsets.ISO_8859_1), file.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses properties text as {@link Properties#load(InputStream)} does (ISO-8859-1 with {@code \\uXXXX} escapes,
     * as Kafka's own tools read it) and checks it; {@code source} names it in warnings.
     */
    static KafkaClientProperties parse(String text, String source) {
        var loaded = new Properties();
        try {
            loaded.load(new StringReader(text));
        } catch (IllegalArgumentException e) {
            // Properties says "Malformed \\uxxxx encoding.": never the value around it.
            throw new IllegalArgumentException("not a valid properties file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalStateException("reading a string", e);
        }
        var properties = new TreeMap<String, String>();
        loaded.stringPropertyNames().forEach(k -> properties.put(k, loaded.getProperty(k)));
        return check(properties, source);
    }

    /** Checks parsed settings; {@code source} names them in warnings. */
    public static KafkaClientProperties check(Map<String, String> properties, String source) {
        var problems = new ArrayList<String>();
        var warnings = new ArrayList<String>();
        for (String key : new TreeSet<>(properties.keySet())) {
            if (KafkaConfig.MANAGED.contains(key)) {
                problems.add(key + " is set by Harbormaster and cannot be set here: " + KafkaConfig.whyManaged(key));
            }
        }
        String protocol = properties
                .getOrDefault("security.protocol", "PLAINTEXT")
                .strip()
                .toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            problems.add("security.protocol must be one of " + String.join(", ", new TreeSet<>(PROTOCOLS)) + ", got '"
                    + properties.get("security.protocol") + "'");
        } else {
            var sasl = properties.keySet().stream()
                    .filter(k -> k.startsWith("sasl."))
                    .sorted()
                    .toList();
            if (!protocol.startsWith("SASL_") && !sasl.isEmpty()) {
                problems.add(String.join(", ", sasl) + " would be ignored: security.protocol is " + protocol
                        + (properties.containsKey("security.protocol") ? "" : " (Kafka's default)")
                        + "; set security.protocol=SASL_SSL (or SASL_PLAINTEXT for a listener without TLS)");
            }
            var ssl = properties.keySet().stream()
                    .filter(k -> k.startsWith("ssl."))
                    .sorted()
                    .toList();
            if (!protocol.endsWith("SSL") && !ssl.isEmpty()) {
                warnings.add(
                        source + ": " + String.join(", ", ssl) + " have no effect with security.protocol=" + protocol);
            }
        }
        var unknown = properties.keySet().stream()
                .filter(k -> !KNOWN.contains(k) && !KafkaConfig.MANAGED.contains(k))
                .filter(k -> !k.startsWith("config.providers."))
                .sorted()
                .toList();
        if (!unknown.isEmpty()) {
            warnings.add(source + ": " + String.join(", ", unknown) + (unknown.size() == 1 ? " is" : " are")
                    + " not a Kafka client setting Kafka knows; check the spelling (a value spread over several lines"
                    + " needs a backslash at each line's end). Passed on as given");
        }
        if (properties.isEmpty()) {
            warnings.add(source + " sets nothing: the clients connect with Kafka's defaults (PLAINTEXT, no"
                    + " authentication)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    problems.size() == 1
                            ? problems.getFirst()
                            : problems.size() + " problems:\n  " + String.join("\n  ", problems));
        }
        return new KafkaClientProperties(properties, warnings);
    }

    private static Set<String> known() {
        var names = new TreeSet<String>();
        names.addAll(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Set.copyOf(names);
    }

    @Override
    public String toString() {
        return "KafkaClientProperties[properties=" + KafkaConfig.redacted(properties) + ", warnings=" + warnings + "]";
    }
}

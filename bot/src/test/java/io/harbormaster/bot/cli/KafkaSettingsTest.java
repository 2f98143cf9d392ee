package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's Kafka settings from the environment: client id per replica, the properties file, secrets never shown. */
class KafkaSettingsTest {
    private static final String PASSWORD = "pl41n-pa55word-for-the-bot";
    private static final String BROKERS = "kafka-0.kafka:9093,kafka-1.kafka:9093";

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private Optional<KafkaSettings> read(Map<String, String> env) {
        return KafkaSettings.fromEnvironment(env, new PrintWriter(err, true));
    }

    private Path properties(String text) throws Exception {
        var file = dir.resolve("kafka.properties");
        Files.writeString(file, text);
        return file;
    }

    private static String saslSsl(String password) {
        return """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                  username="harbormaster" password="%s";
                ssl.truststore.type=PEM
                ssl.truststore.certificates=-----BEGIN CERTIFICATE-----MIIBszCCAVmgAwIBAgIU
                """.formatted(password);
    }

    @Test
    void withoutBrokersThereIsNoKafkaAndAPropertiesFileAloneIsRefused() {
        assertThat(read(Map.of())).isEmpty();
        assertThat(read(Map.of(KafkaSettings.CLIENT_ID, "pod-a"))).isEmpty();
        assertThat(err.toString())
                .contains("HARBORMASTER_KAFKA_CLIENT_ID is set but HARBORMASTER_KAFKA_BOOTSTRAP is"
                        + " not: Kafka is not used");
        assertThatThrownBy(() -> read(Map.of(KafkaSettings.PROPERTIES, "/etc/harbormaster-kafka/kafka.properties")))
                .hasMessageStartingWith("HARBORMASTER_KAFKA_PROPERTIES is set but HARBORMASTER_KAFKA_BOOTSTRAP is not:"
                        + " set HARBORMASTER_KAFKA_BOOTSTRAP to the brokers' addresses");
    }

    @Test
    void theClientIdIsThePodsNameUnlessSetAndTheDefaultOtherwise() {
        var pod = read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, "HOSTNAME", "harbormaster-5c7d9b8f4-x2x4q"))
                .orElseThrow();
        assertThat(pod.config().clientId()).isEqualTo("harbormaster-5c7d9b8f4-x2x4q");
        assertThat(pod.config().groupId()).isEqualTo("harbormaster");
        assertThat(pod.describe()).contains("client id harbormaster-5c7d9b8f4-x2x4q (HOSTNAME)");

        var set = read(Map.of(
                        KafkaSettings.BOOTSTRAP,
                        BROKERS,
                        "HOSTNAME",
                        "harbormaster-5c7d9b8f4-x2x4q",
                        KafkaSettings.CLIENT_ID,
                        " hm-eu-west-1a "))
                .orElseThrow();
        assertThat(set.config().clientId()).isEqualTo("hm-eu-west-1a");
        assertThat(set.describe()).contains("(HARBORMASTER_KAFKA_CLIENT_ID)");

        var neither = read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS)).orElseThrow();
        assertThat(neither.config().clientId()).isEqualTo("harbormaster");
        assertThat(neither.describe()).contains("set HARBORMASTER_KAFKA_CLIENT_ID to tell replicas apart");
        assertThat(neither.config().clientProperties()).isEmpty();
        assertThat(neither.describe()).contains("HARBORMASTER_KAFKA_PROPERTIES is not set: PLAINTEXT");
    }

    @Test
    void anUnusableClientIdIsRefusedNamingTheVariableToSet() {
        assertThatThrownBy(() -> read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.CLIENT_ID, "pod a/1")))
                .hasMessage(
                        "HARBORMASTER_KAFKA_CLIENT_ID must be 1 to 200 of letters, digits, '.', '_' and '-' (it"
                                + " names this replica's Kafka clients in the brokers' logs, metrics and quotas), got 'pod a/1'");
        assertThatThrownBy(() -> read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, "HOSTNAME", "x".repeat(201))))
                .hasMessageContaining("cannot name this replica's Kafka clients")
                .hasMessageEndingWith("set HARBORMASTER_KAFKA_CLIENT_ID");
    }

    @Test
    void thePropertiesFileReachesTheClientsAndItsSecretsNeverShow() throws Exception {
        var file = properties(saslSsl(PASSWORD));
        var settings = read(Map.of(
                        KafkaSettings.BOOTSTRAP,
                        BROKERS,
                        KafkaSettings.PROPERTIES,
                        file.toString(),
                        "HOSTNAME",
                        "harbormaster-0"))
                .orElseThrow();
        assertThat(settings.config().clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("sasl.jaas.config")
                .hasSize(5);
        assertThat(settings.config().clientProperties().get("sasl.jaas.config")).contains(PASSWORD);
        assertThat(settings.propertiesFile()).contains(file);
        assertThat(settings.describe())
                .contains(
                        "client settings from " + file,
                        "security.protocol=SASL_SSL",
                        "sasl.jaas.config=****",
                        "ssl.truststore.certificates=****")
                .doesNotContain(PASSWORD, "MIIBszCC");
        assertThat(settings.toString()).doesNotContain(PASSWORD);
        assertThat(settings.config().toString()).doesNotContain(PASSWORD);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aMissingMalformedOrManagingFileIsRefusedNamingTheVariableAndNeverASecret() throws Exception {
        var absent = dir.resolve("absent.properties");
        assertThatThrownBy(() ->
                        read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.PROPERTIES, absent.toString())))
                .hasMessage("HARBORMASTER_KAFKA_PROPERTIES: " + absent + " does not exist: mount the Kafka client"
                        + " properties file there (a Secret in Kubernetes)");

        var managed = properties(saslSsl(PASSWORD) + "bootstrap.servers=other:9092\n");
        assertThatThrownBy(() ->
                        read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.PROPERTIES, managed.toString())))
                .hasMessageStartingWith(
                        "HARBORMASTER_KAFKA_PROPERTIES: " + managed + ": bootstrap.servers is set by"
                                + " Harbormaster and cannot be set here: the brokers are given as the bootstrap servers setting")
                .message()
                .doesNotContain(PASSWORD);

        var malformed = properties(saslSsl(PASSWORD) + "sasl.login.class=\\u12\n");
        assertThatThrownBy(() ->
                        read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.PROPERTIES, malformed.toString())))
                .hasMessageContaining("not a valid properties file")
                .message()
                .doesNotContain(PASSWORD);
    }

    @Test
    void aMistypedKeyIsAWarningOnStartNamingTheKeyOnly() throws Exception {
        var file = properties(saslSsl(PASSWORD) + "sasl.mechansim=PLAIN\n");
        var settings = read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.PROPERTIES, file.toString()));
        assertThat(settings).isPresent();
        assertThat(err.toString())
                .startsWith("warning: HARBORMASTER_KAFKA_PROPERTIES: " + file + ": sasl.mechansim is not a Kafka client"
                        + " setting")
                .doesNotContain(PASSWORD);
    }

    @Test
    void whatToDoNamesTheVariablesAndTheFile() throws Exception {
        var plain = read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS)).orElseThrow();
        assertThat(plain.whatToDo(KafkaConnectionCheck.Problem.UNREACHABLE))
                .contains("check HARBORMASTER_KAFKA_BOOTSTRAP", "NetworkPolicy", "HARBORMASTER_KAFKA_PROPERTIES");
        assertThat(plain.whatToDo(KafkaConnectionCheck.Problem.AUTHENTICATION))
                .contains("the brokers want clients to log in", "HARBORMASTER_KAFKA_PROPERTIES");
        assertThat(plain.whatToDo(KafkaConnectionCheck.Problem.AUTHORIZATION))
                .contains("Describe and Read on topic deploy.requests and group harbormaster");

        var file = properties(saslSsl(PASSWORD));
        var sasl = read(Map.of(KafkaSettings.BOOTSTRAP, BROKERS, KafkaSettings.PROPERTIES, file.toString()))
                .orElseThrow();
        assertThat(sasl.whatToDo(KafkaConnectionCheck.Problem.AUTHENTICATION))
                .isEqualTo(
                        "check the login (sasl.mechanism, sasl.jaas.config) and the TLS settings (ssl.*) in " + file);
    }
}

package io.harbormaster.engine.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adapter's settings: managed properties refused with why, client ids checked, secrets never shown. */
class KafkaConfigTest {
    private static final String PASSWORD = "hunter2-but-longer";

    private static final Map<String, String> SECRETS = Map.of(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bot\" password=\"" + PASSWORD
                    + "\";",
            "ssl.keystore.password",
            "keystore-pass-1",
            "ssl.key.password",
            "key-pass-22",
            "ssl.truststore.password",
            "trust-pass-333",
            "ssl.keystore.key",
            "-----BEGIN PRIVATE KEY-----MIIEv",
            "ssl.truststore.certificates",
            "-----BEGIN CERTIFICATE-----MIIDd",
            "sasl.oauthbearer.client.credentials.client.secret",
            "oauth-client-secret-4",
            "sasl.oauthbearer.assertion.private.key.passphrase",
            "passphrase-55555");

    @Test
    void secretValuesNeverReachToStringWhileOtherSettingsDo() {
        var properties = new java.util.HashMap<>(SECRETS);
        properties.put("security.protocol", "SASL_SSL");
        properties.put("ssl.truststore.location", "/etc/kafka/truststore.p12");
        var config = KafkaConfig.of("broker:9093").withClientProperties(properties);
        var shown = config.toString();
        assertThat(shown).contains("security.protocol=SASL_SSL", "ssl.truststore.location=/etc/kafka/truststore.p12");
        for (var secret : SECRETS.entrySet()) {
            assertThat(KafkaConfig.isSecret(secret.getKey()))
                    .as(secret.getKey())
                    .isTrue();
            assertThat(shown).contains(secret.getKey() + "=****").doesNotContain(secret.getValue());
        }
        assertThat(shown).doesNotContain(PASSWORD);
        assertThat(KafkaConfig.isSecret("sasl.mechanism")).isFalse();
        assertThat(KafkaConfig.isSecret("ssl.keystore.location")).isFalse();
    }

    @Test
    void scrubReplacesSecretValuesAndTheJaasPasswordInsideAnyText() {
        var message = "Invalid value " + SECRETS.get("ssl.key.password") + " for ssl.key.password; login with password "
                + PASSWORD + " failed; mechanism PLAIN";
        var scrubbed = KafkaConfig.scrub(message, SECRETS);
        assertThat(scrubbed)
                .isEqualTo("Invalid value **** for ssl.key.password; login with password **** failed; mechanism PLAIN");
        assertThat(KafkaConfig.scrub("username=\"bot\" is fine", SECRETS)).isEqualTo("username=\"bot\" is fine");
    }

    @Test
    void aManagedPropertyIsRefusedNamingItAndWhy() {
        assertThatThrownBy(() -> KafkaConfig.of("broker:9092")
                        .withClientProperties(Map.of("transactional.id", "t", "acks", "1", "linger.ms", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Kafka client properties set by Harbormaster cannot be overridden: acks (events and dead"
                        + " letters must be acknowledged by all in-sync replicas (acks=all)); transactional.id (the"
                        + " producers are not transactional; a transactional id breaks every send)");
    }

    @Test
    void theClientIdMustBeUsableInBrokerLogsMetricsAndQuotas() {
        var config = KafkaConfig.of("broker:9092");
        assertThat(config.withIds("harbormaster-5c7d9-x2x4q", "g").clientId()).isEqualTo("harbormaster-5c7d9-x2x4q");
        assertThat(KafkaConfig.validClientId("a".repeat(200))).isTrue();
        for (String bad : new String[] {"", " ", "pod a", "pod/a", "a".repeat(201), "pöd"}) {
            assertThat(KafkaConfig.validClientId(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> config.withIds(bad, "g"))
                    .hasMessageContaining("Kafka client id must be 1 to 200 of [a-zA-Z0-9._-]");
        }
    }

    @Test
    void theConnectionCheckSaysTheBrokersDidNotAnswerWithinItsTimeout() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        var config = KafkaConfig.of("127.0.0.1:" + port)
                .withClientProperties(Map.of(
                        "security.protocol",
                        "SASL_PLAINTEXT",
                        "sasl.mechanism",
                        "PLAIN",
                        "sasl.jaas.config",
                        SECRETS.get("sasl.jaas.config")));
        long start = System.nanoTime();
        assertThatThrownBy(() -> KafkaConnectionCheck.run(config, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(KafkaConnectionCheck.Failed.class, f -> assertThat(f.problem())
                        .isEqualTo(KafkaConnectionCheck.Problem.UNREACHABLE))
                .hasMessageStartingWith("Kafka at 127.0.0.1:" + port + " did not answer within 1 s")
                .message()
                .doesNotContain(PASSWORD);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aClientSettingKafkaRefusesIsAConfigurationProblem() {
        var config = KafkaConfig.of("127.0.0.1:9")
                .withClientProperties(Map.of(
                        "security.protocol",
                        "SASL_PLAINTEXT",
                        "sasl.mechanism",
                        "PLAIN",
                        "sasl.jaas.config",
                        "not a jaas configuration password=\"" + PASSWORD + "\""));
        assertThatThrownBy(() -> KafkaConnectionCheck.run(config, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(KafkaConnectionCheck.Failed.class, f -> assertThat(f.problem())
                        .isEqualTo(KafkaConnectionCheck.Problem.CONFIGURATION))
                .hasMessageStartingWith("the Kafka client refused its settings (")
                .message()
                .doesNotContain(PASSWORD);
    }
}

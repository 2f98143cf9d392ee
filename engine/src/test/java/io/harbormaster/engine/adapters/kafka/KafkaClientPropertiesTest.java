package io.harbormaster.engine.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a Kafka client properties file: what is refused, what is only warned about, and that no secret shows. */
class KafkaClientPropertiesTest {
    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"harbormaster\" password=\"" + PASSWORD + "\";";

    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        var file = dir.resolve("kafka.properties");
        Files.writeString(file, text, java.nio.charset.StandardCharsets.ISO_8859_1);
        return file;
    }

    @Test
    void aTypicalSaslSslFileIsReadAsKafkasToolsReadIt() throws Exception {
        var file = write("""
                # Confluent-style client settings
                security.protocol = SASL_SSL
                sasl.mechanism: SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="harbormaster" \\
                    password="%s";
                ssl.truststore.location=/etc/kafka/truststore.p12
                ssl.truststore.password=changeit
                ssl.endpoint.identification.algorithm=
                linger.ms=5
                """.formatted(PASSWORD));
        var read = KafkaClientProperties.read(file);
        assertThat(read.properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("linger.ms", "5")
                .hasSize(7);
        assertThat(read.warnings()).isEmpty();
        assertThat(read.toString())
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=****", "ssl.truststore.password=****")
                .doesNotContain(PASSWORD, "changeit");
    }

    @Test
    void everyManagedKeyIsRefusedNamingItAndWhy() throws Exception {
        var file = write("security.protocol=SASL_SSL\ngroup.id=mine\nenable.auto.commit=true\nclient.id=x\n");
        assertThatThrownBy(() -> KafkaClientProperties.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": 3 problems:")
                .hasMessageContaining("client.id is set by Harbormaster and cannot be set here: each client's id is")
                .hasMessageContaining("enable.auto.commit is set by Harbormaster and cannot be set here: offsets are"
                        + " committed only after a request is handled")
                .hasMessageContaining("group.id is set by Harbormaster and cannot be set here: every replica must"
                        + " share one consumer group");
        for (String key : KafkaConfig.MANAGED) {
            assertThat(KafkaConfig.whyManaged(key)).as(key).isNotBlank();
        }
    }

    @Test
    void saslSettingsWithoutASaslProtocolAreRefusedAsTheyWouldBeIgnored() throws Exception {
        var file = write("sasl.mechanism=PLAIN\nsasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n");
        assertThatThrownBy(() -> KafkaClientProperties.read(file))
                .hasMessageContaining("sasl.jaas.config, sasl.mechanism would be ignored: security.protocol is"
                        + " PLAINTEXT (Kafka's default); set security.protocol=SASL_SSL")
                .message()
                .doesNotContain(PASSWORD);
    }

    @Test
    void anUnknownSecurityProtocolIsRefused() throws Exception {
        var file = write("security.protocol=TLS\n");
        assertThatThrownBy(() -> KafkaClientProperties.read(file))
                .hasMessageContaining(
                        "security.protocol must be one of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL, got" + " 'TLS'");
        assertThat(KafkaClientProperties.read(write("security.protocol=sasl_ssl\nsasl.mechanism=PLAIN\n"))
                        .warnings())
                .as("Kafka takes the protocol in any case")
                .isEmpty();
    }

    @Test
    void aMalformedEscapeOrABinaryFileIsRefusedWithoutShowingItsContent() throws Exception {
        var escape = write("security.protocol=SASL_SSL\nsasl.jaas.config=x password=\"" + PASSWORD + "\\u00G1\";\n");
        assertThatThrownBy(() -> KafkaClientProperties.read(escape))
                .hasMessageContaining("not a valid properties file (Malformed \\uxxxx encoding.)")
                .message()
                .doesNotContain(PASSWORD);

        var keystore = dir.resolve("keystore.p12");
        Files.write(keystore, new byte[] {0x30, (byte) 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03});
        assertThatThrownBy(() -> KafkaClientProperties.read(keystore))
                .hasMessageContaining("is binary (a keystore or truststore?)");
    }

    @Test
    void aMissingFileADirectoryAndAnUnreadableFileSayWhatToDo() throws Exception {
        assertThatThrownBy(() -> KafkaClientProperties.read(dir.resolve("absent.properties")))
                .hasMessage(dir.resolve("absent.properties") + " does not exist: mount the Kafka client properties"
                        + " file there (a Secret in Kubernetes)");
        assertThatThrownBy(() -> KafkaClientProperties.read(dir))
                .hasMessageContaining(dir + " is a directory, not a properties file: name the file inside it");

        var locked = write("security.protocol=SSL\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (Files.isReadable(locked)) {
            return; // root reads anything: the message cannot be provoked here
        }
        assertThatThrownBy(() -> KafkaClientProperties.read(locked))
                .hasMessageContaining("cannot be read by this process (permission denied)");
    }

    @Test
    void unknownKeysTlsSettingsWithoutTlsAndAnEmptyFileAreWarningsNamingKeysOnly() throws Exception {
        var typo = KafkaClientProperties.read(write("""
                security.protocol=SASL_PLAINTEXT
                sasl.mechansim=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u"
                  password="%s";
                ssl.truststore.location=/etc/ts.p12
                config.providers=file
                config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
                """.formatted(PASSWORD)));
        assertThat(typo.warnings())
                .anySatisfy(w -> assertThat(w)
                        .contains(
                                "password, sasl.mechansim are not a Kafka client setting",
                                "check the spelling",
                                "backslash"))
                .anySatisfy(w -> assertThat(w)
                        .contains("ssl.truststore.location have no effect with security.protocol=SASL_PLAINTEXT"))
                .allSatisfy(w -> assertThat(w).doesNotContain(PASSWORD).doesNotContain("config.providers"));

        assertThat(KafkaClientProperties.read(write("# nothing yet\n")).warnings())
                .singleElement()
                .asString()
                .contains("sets nothing", "PLAINTEXT, no authentication");
    }

    @Test
    void checkedSettingsPassThroughKafkaConfigToEveryClient() {
        var settings = KafkaClientProperties.check(
                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS), "test");
        var config = KafkaConfig.of("broker:9093")
                .withIds("harbormaster-7d9f8-abcde", "harbormaster")
                .withClientProperties(settings.properties());
        assertThat(config.consumerProperties())
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("client.id", "harbormaster-7d9f8-abcde-intake");
        assertThat(config.producerProperties("-events"))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("client.id", "harbormaster-7d9f8-abcde-events");
        assertThat(config.adminProperties("-check")).containsEntry("sasl.mechanism", "PLAIN");
    }
}

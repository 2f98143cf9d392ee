package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.kafka.DeadLetterHeaders;
import io.harbormaster.engine.adapters.kafka.KafkaBroker;
import io.harbormaster.engine.adapters.kafka.KafkaConfig;
import io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck;
import io.harbormaster.sandbox.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} against a real broker whose client listener wants SASL_PLAINTEXT (PLAIN, a user and password): with
 * the client properties file named by HARBORMASTER_KAFKA_PROPERTIES the bot consumes deploy.requests, dead-letters and
 * publishes deploy.events; without the file, or with a wrong password, serve stops at start saying why.
 */
class ServeKafkaSaslTest {
    private static final String SECRET = "serve-kafka-signing-secret";
    private static final String TOKEN = "xoxb-serve-kafka-token";
    private static final String POD = "harbormaster-6f7c9d5b8-qx2lp";

    private static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startSasl();
        broker.createTopic("deploy.requests", 1);
        broker.createTopic("deploy.requests.dlq", 1);
        broker.createTopic("deploy.events", 1);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private CapturedCommand<ServeCommand> serve(Map<String, String> kafkaEnv, SlackStandIn slack) {
        var env = new HashMap<String, String>(kafkaEnv);
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_BOT_TOKEN", TOKEN);
        env.put("SLACK_API_URL", slack.methodsUrlPrefix());
        env.put("HARBORMASTER_KAFKA_BOOTSTRAP", broker.bootstrapServers());
        env.put("HOSTNAME", POD);
        var command = new ServeCommand();
        command.env = env;
        command.cluster = catalog -> new SimulatedCluster();
        command.kafkaCheckTimeout = Duration.ofSeconds(3);
        return CapturedCommand.of(command);
    }

    private String[] args() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, ConfigCommand.example());
        return new String[] {
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--config",
            config.toString(),
            "--db",
            "jdbc:h2:file:" + dir.resolve("db")
        };
    }

    /** A Kafka client properties file as a platform team would mount it, logging in as {@code user}. */
    private Path propertiesFile(String user, String password) throws Exception {
        var file = dir.resolve("kafka.properties");
        var text = new StringBuilder("# Kafka client settings for Harbormaster (a Secret in the cluster)\n");
        KafkaBroker.saslClientProperties(user, password)
                .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);
        return file;
    }

    private static SlackStandIn slack() {
        return SlackStandIn.start(TOKEN, List.of(new SlackStandIn.User("U0ALICE", "alice", "Alice")), List.of());
    }

    private static String ciRequest(String service, String version) {
        return """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s","ci_status":"success","auto_deploy":true,
                 "change":{"ns":1,"nd":1,"nf":1,"entropy":0,"la":5,"ld":1,"lt":100,"fix":false,"ndev":3,"age":20,
                           "nuc":2,"exp":800,"rexp":300,"sexp":200,"files":["src/App.java"]}}""".formatted(service, version, service, version, version);
    }

    /** Every log line the process writes through java.util.logging (the bot's own loggers) while it runs. */
    private static final class CapturedLogs extends Handler implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final SimpleFormatter formatter = new SimpleFormatter();

        CapturedLogs() {
            Logger.getLogger("").addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }

    @Test
    void withThePropertiesFileServeConsumesDeadLettersAndPublishesOverSaslAsThisPod() throws Exception {
        var file = propertiesFile(KafkaBroker.SASL_USER, KafkaBroker.SASL_PASSWORD);
        try (var slack = slack();
                var logs = new CapturedLogs()) {
            var run = serve(Map.of("HARBORMASTER_KAFKA_PROPERTIES", file.toString()), slack);
            var code = new AtomicInteger(-1);
            var args = args();
            var thread = Thread.ofVirtual().start(() -> code.set(run.cli().execute(args)));
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!run.out().toString().contains("listening on")) {
                    assertThat(code.get()).as("serve stopped: " + run.err()).isEqualTo(-1);
                    assertThat(System.nanoTime())
                            .as("serve to start: " + run.err())
                            .isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(run.out().toString()).contains("and Kafka deploy.requests");
                assertThat(run.err().toString())
                        .contains("note: Kafka at " + broker.bootstrapServers() + ", client id " + POD + " (HOSTNAME)")
                        .contains("client settings from " + file + ": sasl.jaas.config=****, sasl.mechanism=PLAIN,"
                                + " security.protocol=SASL_PLAINTEXT");

                broker.publish(
                        "deploy.requests",
                        List.of(
                                KafkaBroker.record("deploy.requests", "inventory", ciRequest("inventory", "2.0.1")),
                                KafkaBroker.record("deploy.requests", "inventory", "{not json")));

                var events = broker.readAll("deploy.events", 1, Duration.ofSeconds(20));
                assertThat(events)
                        .as("deploy.events published by the bot's producer")
                        .isNotEmpty();
                assertThat(events.getFirst().key()).asString().isEqualTo("inventory");
                assertThat(KafkaBroker.text(events.getFirst().value())).contains("\"version\":\"2.0.1\"");

                var dead = broker.readAll("deploy.requests.dlq", 1, Duration.ofSeconds(20));
                assertThat(dead).singleElement().satisfies(r -> {
                    assertThat(KafkaBroker.text(r.value())).isEqualTo("{not json");
                    assertThat(KafkaBroker.header(r, DeadLetterHeaders.REASON)).isEqualTo("invalid");
                });

                var members = broker.admin()
                        .describeConsumerGroups(List.of("harbormaster"))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get("harbormaster")
                        .members();
                assertThat(members).singleElement().satisfies(m -> assertThat(m.clientId())
                        .isEqualTo(POD + "-intake"));
            } finally {
                run.command().stop.countDown();
                thread.join(Duration.ofSeconds(30));
            }
            assertThat(code.get()).isZero();
            assertThat(logs.lines)
                    .as("the consumer says what it runs with, secrets hidden")
                    .anySatisfy(l -> assertThat(l)
                            .contains("consuming deploy.requests as KafkaConfig[", "sasl.jaas.config=****"));
            assertThat(String.join("", logs.lines) + run.out() + run.err()).doesNotContain(KafkaBroker.SASL_PASSWORD);
        }
    }

    @Test
    void theCheckWarnsOfMissingTopicsAndStopsOnATopicThePrincipalMayNotSee() throws Exception {
        var login = KafkaBroker.saslClientProperties(KafkaBroker.SASL_USER, KafkaBroker.SASL_PASSWORD);
        var config = KafkaConfig.of(broker.bootstrapServers()).withClientProperties(login);

        var missing = KafkaConnectionCheck.run(
                config.withTopics("deploy.requests", "absent.dlq", "absent.events"), Duration.ofSeconds(5));
        assertThat(missing.brokers()).isEqualTo(1);
        assertThat(missing.missingTopics()).containsExactly("absent.dlq", "absent.events");

        broker.createTopic("forbidden.events", 1);
        broker.admin()
                .createAcls(List.of(new AclBinding(
                        new ResourcePattern(ResourceType.TOPIC, "forbidden.events", PatternType.LITERAL),
                        new AccessControlEntry(
                                "User:" + KafkaBroker.SASL_USER, "*", AclOperation.ALL, AclPermissionType.DENY))))
                .all()
                .get(10, TimeUnit.SECONDS);
        Await.until("the DENY to be in force", Duration.ofSeconds(10), () -> {
            try {
                KafkaConnectionCheck.run(
                        config.withTopics("deploy.requests", "deploy.requests.dlq", "forbidden.events"),
                        Duration.ofSeconds(5));
                return false;
            } catch (KafkaConnectionCheck.Failed e) {
                assertThat(e.problem()).isEqualTo(KafkaConnectionCheck.Problem.AUTHORIZATION);
                assertThat(e.getMessage())
                        .isEqualTo("Kafka at " + broker.bootstrapServers()
                                + " does not let this client's principal describe forbidden.events");
                return true;
            }
        });
    }

    private static java.net.http.HttpResponse<String> readyz(int port) throws Exception {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/readyz"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    private static AclBinding userAcl(String topic, AclOperation operation, AclPermissionType permission) {
        return new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + KafkaBroker.SASL_USER, "*", operation, permission));
    }

    /**
     * The brokers stop letting the bot's principal near deploy.requests after serve started (an ACL revoked): /readyz
     * says so once that has lasted the grace (3 s here, 60 s by default), naming what is refused and what to grant, and
     * says ready again once the ACL is gone.
     */
    @Test
    void aPermissionWithdrawnAfterStartMakesTheReplicaUnreadyAfterTheGraceAndReadyAgainOnceRestored() throws Exception {
        var file = propertiesFile(KafkaBroker.SASL_USER, KafkaBroker.SASL_PASSWORD);
        var deny = userAcl("deploy.requests", AclOperation.ALL, AclPermissionType.DENY);
        try (var slack = slack();
                var logs = new CapturedLogs()) {
            var run = serve(Map.of("HARBORMASTER_KAFKA_PROPERTIES", file.toString()), slack);
            run.command().kafkaAccessInterval = Duration.ofMillis(500);
            run.command().kafkaUnreadyAfter = Duration.ofSeconds(3);
            var code = new AtomicInteger(-1);
            var args = args();
            var thread = Thread.ofVirtual().start(() -> code.set(run.cli().execute(args)));
            try {
                var listening = Await.value("serve to start: " + run.err(), Duration.ofSeconds(30), () -> {
                    assertThat(code.get()).as("serve stopped: " + run.err()).isEqualTo(-1);
                    var m = java.util.regex.Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)")
                            .matcher(run.out().toString());
                    return m.find() ? Integer.parseInt(m.group(1)) : null;
                });
                int port = listening;
                var ready = readyz(port);
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(ready.body()).contains("\"kafka access\":\"ok\"");

                broker.admin().createAcls(List.of(deny)).all().get(10, TimeUnit.SECONDS);
                long denied = System.nanoTime();
                var unready = Await.value("/readyz to say Kafka refuses this replica", Duration.ofSeconds(30), () -> {
                    try {
                        var r = readyz(port);
                        return r.statusCode() == 503 ? r : null;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertThat(Duration.ofNanos(System.nanoTime() - denied))
                        .as("refused for the grace before unready")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
                assertThat(unready.body())
                        .contains("\"ready\":false", "\"failed\":[\"kafka access\"]", "\"database\":\"ok\"")
                        .contains("Kafka at " + broker.bootstrapServers()
                                + " does not let this client's principal describe deploy.requests")
                        .contains("this replica cannot consume deploy.requests or publish deploy.events")
                        .contains("give this client's principal Describe and Read on topic deploy.requests and group"
                                + " harbormaster")
                        .contains("Ready again at the first check Kafka answers without it")
                        .doesNotContain(KafkaBroker.SASL_PASSWORD);

                broker.admin().deleteAcls(List.of(deny.toFilter())).all().get(10, TimeUnit.SECONDS);
                Await.until("/readyz to say ready again", Duration.ofSeconds(30), () -> {
                    try {
                        return readyz(port).statusCode() == 200;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertThat(readyz(port).body()).contains("\"kafka access\":\"ok\"");
            } finally {
                broker.admin().deleteAcls(List.of(deny.toFilter())).all().get(10, TimeUnit.SECONDS);
                run.command().stop.countDown();
                thread.join(Duration.ofSeconds(30));
            }
            assertThat(code.get()).isZero();
            assertThat(logs.lines)
                    .anySatisfy(l -> assertThat(l).contains("this replica reports not ready if that lasts 3 s"))
                    .anySatisfy(l -> assertThat(l).contains("/readyz reports this replica not ready"))
                    .anySatisfy(l -> assertThat(l).contains("Kafka accepts this client again"));
            assertThat(String.join("", logs.lines) + run.out() + run.err()).doesNotContain(KafkaBroker.SASL_PASSWORD);
        }
    }

    /**
     * The later checks ask what the principal may do, not only whether it may look: Read on the requests topic, Write
     * on the others; and a login the brokers refuse is told apart from a permission.
     */
    @Test
    void theAccessCheckNamesAWithheldReadOrWriteAndTellsARefusedLoginApart() throws Exception {
        var login = KafkaBroker.saslClientProperties(KafkaBroker.SASL_USER, KafkaBroker.SASL_PASSWORD);
        var config = KafkaConfig.of(broker.bootstrapServers()).withClientProperties(login);
        broker.createTopic("acl.requests", 1);
        broker.createTopic("acl.events", 1);
        // an ACL on a topic ends "allowed if no ACL": Describe alone is all the principal keeps there
        var describeOnly = List.of(
                userAcl("acl.requests", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
                userAcl("acl.events", AclOperation.DESCRIBE, AclPermissionType.ALLOW));
        broker.admin().createAcls(describeOnly).all().get(10, TimeUnit.SECONDS);
        try {
            var both = config.withTopics("acl.requests", "deploy.requests.dlq", "acl.events");
            Await.until("the ACLs to be in force", Duration.ofSeconds(10), () -> {
                try {
                    KafkaConnectionCheck.access(both, Duration.ofSeconds(5));
                    return false;
                } catch (KafkaConnectionCheck.Failed e) {
                    assertThat(e.problem()).isEqualTo(KafkaConnectionCheck.Problem.AUTHORIZATION);
                    assertThat(e.getMessage())
                            .isEqualTo("Kafka at " + broker.bootstrapServers()
                                    + " does not let this client's principal read acl.requests, write to acl.events");
                    return true;
                }
            });
            // what serve checks at start is unchanged: the principal may describe them
            assertThat(KafkaConnectionCheck.run(both, Duration.ofSeconds(5)).missingTopics())
                    .isEmpty();
            assertThat(KafkaConnectionCheck.access(config, Duration.ofSeconds(5))
                            .missingTopics())
                    .as("the bot's own topics and group, with nothing withheld")
                    .isEmpty();
        } finally {
            broker.admin()
                    .deleteAcls(describeOnly.stream().map(AclBinding::toFilter).toList())
                    .all()
                    .get(10, TimeUnit.SECONDS);
        }

        var wrong = "rotated-away-4c1e";
        var refused = config.withClientProperties(KafkaBroker.saslClientProperties(KafkaBroker.SASL_USER, wrong));
        var failed = org.assertj.core.api.Assertions.catchThrowableOfType(
                KafkaConnectionCheck.Failed.class, () -> KafkaConnectionCheck.access(refused, Duration.ofSeconds(5)));
        assertThat(failed.problem()).isEqualTo(KafkaConnectionCheck.Problem.AUTHENTICATION);
        assertThat(failed.getMessage()).doesNotContain(wrong);
    }

    @Test
    void withoutThePropertiesFileServeStopsSayingTheBrokersDidNotAnswerAndWhatToSet() throws Exception {
        try (var slack = slack()) {
            var run = serve(Map.of(), slack);
            long start = System.nanoTime();
            assertThat(run.cli().execute(args())).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(run.err().toString())
                    .contains("cannot start: Kafka at " + broker.bootstrapServers() + " did not answer within 3 s")
                    .contains("a listener that wants TLS or SASL does not answer a plain client either: name a Kafka"
                            + " client properties file (security.protocol, sasl.*, ssl.*) in"
                            + " HARBORMASTER_KAFKA_PROPERTIES");
            assertThat(run.out().toString()).doesNotContain("listening");
        }
    }

    @Test
    void withAWrongPasswordServeStopsSayingTheLoginWasRefusedWithoutShowingThePassword() throws Exception {
        var wrong = "not-the-password-7f3a";
        var file = propertiesFile(KafkaBroker.SASL_USER, wrong);
        try (var slack = slack();
                var logs = new CapturedLogs()) {
            var run = serve(Map.of("HARBORMASTER_KAFKA_PROPERTIES", file.toString()), slack);
            long start = System.nanoTime();
            assertThat(run.cli().execute(args())).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(run.err().toString())
                    .contains("cannot start: Kafka at " + broker.bootstrapServers()
                            + " refused this client's credentials or TLS handshake (SaslAuthenticationException:")
                    .contains("Authentication failed: Invalid username or password")
                    .contains("check the login (sasl.mechanism, sasl.jaas.config) and the TLS settings (ssl.*) in "
                            + file);
            assertThat(String.join("", logs.lines) + run.out() + run.err()).doesNotContain(wrong);
        }
    }
}

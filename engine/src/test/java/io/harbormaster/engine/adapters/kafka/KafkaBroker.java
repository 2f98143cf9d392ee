package io.harbormaster.engine.adapters.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka (broker and controller in one), started in this JVM by Kafka's own test kit, with
 * plain kafka-clients helpers to create topics, publish and read back. One per test class.
 *
 * <p>{@link #startSasl()} gives its client listener SASL_PLAINTEXT with the PLAIN mechanism: clients must log in, as
 * {@link #SASL_USER} (an ordinary user, allowed everything as no ACL is set) or the test kit's super user. The
 * helpers here log in as the super user.
 */
public final class KafkaBroker implements AutoCloseable {

    /** The ordinary user of a {@link #startSasl()} broker, and its password. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_USER1;

    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private final KafkaClusterTestKit cluster;
    private final Admin admin;
    /** How this helper's own clients connect: nothing for PLAINTEXT, the super user's login for SASL. */
    private final Map<String, String> helperLogin;

    private KafkaBroker(KafkaClusterTestKit cluster, Map<String, String> helperLogin) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.helperLogin = helperLogin;
    }

    public static KafkaBroker start() throws Exception {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /** A broker whose client listener wants SASL_PLAINTEXT with PLAIN: see {@link #saslClientProperties}. */
    public static KafkaBroker startSasl() throws Exception {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    /** The client properties that log in to a {@link #startSasl()} broker as {@code user}. */
    public static Map<String, String> saslClientProperties(String user, String password) {
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "PLAIN",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    private static KafkaBroker start(SecurityProtocol protocol) throws Exception {
        boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT;
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(protocol)
                .build());
        if (sasl) {
            // The test kit turns on its authorizer for PLAIN and denies what no ACL allows; the tests here are about
            // logging in, so an authenticated user may do anything.
            builder.setConfigProp("allow.everyone.if.no.acl.found", "true");
        }
        KafkaClusterTestKit cluster = builder
                // A group's first member would otherwise wait 3 s for others before getting partitions.
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(
                    cluster,
                    sasl
                            ? saslClientProperties(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD)
                            : Map.of());
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Stops the broker (its controller keeps running): nothing answers on its port until {@link #restartBroker()},
     * as when a Kafka cluster is down. Clients keep retrying, as they would.
     */
    public void stopBroker() {
        cluster.brokers().values().forEach(broker -> {
            broker.shutdown();
            broker.awaitShutdown();
        });
    }

    /** Starts the stopped broker again, on the same port, with its data; returns once it serves clients. */
    public void restartBroker() throws Exception {
        cluster.brokers().values().forEach(kafka.server.BrokerServer::startup);
        cluster.waitForReadyBrokers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        // The topic exists once the controller says so; its partitions get their leader a moment later, and a
        // producer that starts before then spends its time waiting for metadata. Wait for every leader here.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                var description = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(name);
                if (description.partitions().size() == partitions
                        && description.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // created, but not in this broker's metadata yet: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " has partitions without a leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    /** Publishes records as an outside producer would and waits until each is acknowledged. */
    public void publish(String topic, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.putAll(helperLogin);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        }
    }

    public static ProducerRecord<byte[], byte[]> record(String topic, String key, String value, String... headerPairs) {
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, key == null ? null : bytes(key), value == null ? null : bytes(value));
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            record.headers().add(new RecordHeader(headerPairs[i], bytes(headerPairs[i + 1])));
        }
        return record;
    }

    /** Reads every partition of {@code topic} from the start until {@code count} records arrived (bounded). */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count, Duration timeout) {
        Properties props = new Properties();
        props.putAll(helperLogin);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // A short extra read, so that "exactly count" is checked, not "at least".
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }

    /** An admin client of the broker (logged in as the super user when SASL); the broker closes it. */
    public Admin admin() {
        return admin;
    }

    static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : text(header.value());
    }

    /** Headers by name, last value wins, for assertions. */
    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        var map = new java.util.TreeMap<String, String>();
        Arrays.stream(record.headers().toArray()).forEach(h -> map.put(h.key(), text(h.value())));
        return map;
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            cluster.close();
        }
    }
}

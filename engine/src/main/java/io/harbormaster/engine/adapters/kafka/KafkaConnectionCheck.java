package io.harbormaster.engine.adapters.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks the brokers, with the clients' own settings, whether the bot can work with them: they answer, accept the
 * client's credentials, and let it see the three topics. The Kafka clients themselves only retry and log when the
 * brokers are out of reach or refuse them; this says so at once, in one sentence, before the bot starts.
 */
public final class KafkaConnectionCheck {

    /** What went wrong, so the caller can say what to change. */
    public enum Problem {
        /** No broker answered in time: wrong address, the network, or a listener speaking another protocol. */
        UNREACHABLE,
        /** A broker refused the client's credentials or TLS handshake. */
        AUTHENTICATION,
        /** The client's principal may not see the cluster or a topic. */
        AUTHORIZATION,
        /** The Kafka client refused its own settings. */
        CONFIGURATION
    }

    /** The check failed; the message never shows a secret value of the client properties. */
    public static final class Failed extends RuntimeException {
        private final Problem problem;

        Failed(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /**
     * What the brokers said.
     *
     * @param brokers how many brokers the cluster has
     * @param missingTopics the bot's topics that do not exist (yet: brokers may create them on first use)
     */
    public record Result(int brokers, List<String> missingTopics) {
        public Result {
            missingTopics = List.copyOf(missingTopics);
        }
    }

    private KafkaConnectionCheck() {}

    /** Checks within {@code timeout}, or throws {@link Failed}. */
    public static Result run(KafkaConfig config, Duration timeout) {
        return check(config, timeout, false);
    }

    /**
     * {@link #run}, and also what the principal may do, as the brokers report it: Read on the requests topic and on
     * the group, Write on the dead-letter and events topics. One missing is {@link Problem#AUTHORIZATION}. Brokers
     * without an authorizer allow everything; a group that does not exist yet is not asked about.
     */
    public static Result access(KafkaConfig config, Duration timeout) {
        return check(config, timeout, true);
    }

    private static Result check(KafkaConfig config, Duration timeout, boolean operations) {
        Objects.requireNonNull(config, "config");
        long ms = Math.max(1, timeout.toMillis());
        Map<String, Object> props = new HashMap<>(config.adminProperties("-check"));
        props.put("request.timeout.ms", Long.toString(ms));
        props.put("default.api.timeout.ms", Long.toString(ms));
        // One broker out of reach is retried quickly rather than after the default second.
        props.putIfAbsent("reconnect.backoff.max.ms", "500");
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException | IllegalArgumentException e) {
            throw new Failed(
                    Problem.CONFIGURATION, "the Kafka client refused its settings (" + describe(e, config) + ")");
        }
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) Math.min(ms, 1 << 30)))
                    .nodes()
                    .get(ms + 2_000, TimeUnit.MILLISECONDS)
                    .size();
            var topics = List.of(config.requestsTopic(), config.deadLetterTopic(), config.eventsTopic());
            var described = admin.describeTopics(
                            topics,
                            new DescribeTopicsOptions()
                                    .timeoutMs((int) Math.min(ms, 1 << 30))
                                    .includeAuthorizedOperations(operations))
                    .topicNameValues();
            var missing = new ArrayList<String>();
            var denied = new ArrayList<String>();
            var withheld = new ArrayList<String>();
            for (String topic : topics) {
                try {
                    var description = described.get(topic).get(ms + 2_000, TimeUnit.MILLISECONDS);
                    var needed = topic.equals(config.requestsTopic()) ? AclOperation.READ : AclOperation.WRITE;
                    if (operations && lacks(description.authorizedOperations(), needed)) {
                        withheld.add((needed == AclOperation.READ ? "read " : "write to ") + topic);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(topic);
                    } else if (e.getCause() instanceof AuthorizationException) {
                        denied.add(topic);
                    } else {
                        throw e;
                    }
                }
            }
            if (!denied.isEmpty()) {
                throw new Failed(
                        Problem.AUTHORIZATION,
                        "Kafka at " + config.bootstrapServers() + " does not let this client's principal describe "
                                + String.join(", ", denied));
            }
            if (operations && !groupReadable(admin, config, ms)) {
                withheld.add("read group " + config.groupId());
            }
            if (!withheld.isEmpty()) {
                throw new Failed(
                        Problem.AUTHORIZATION,
                        "Kafka at " + config.bootstrapServers() + " does not let this client's principal "
                                + String.join(", ", withheld));
            }
            return new Result(brokers, missing);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), config, timeout);
        } catch (TimeoutException e) {
            throw unreachable(config, timeout, "no answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed(Problem.UNREACHABLE, "interrupted while checking Kafka at " + config.bootstrapServers());
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** Whether a set of authorized operations (null: not reported, which brokers without an authorizer do) lacks one. */
    private static boolean lacks(Set<AclOperation> authorized, AclOperation needed) {
        return authorized != null && !authorized.contains(needed) && !authorized.contains(AclOperation.ALL);
    }

    private static boolean groupReadable(Admin admin, KafkaConfig config, long ms)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            var group = admin.describeConsumerGroups(
                            List.of(config.groupId()),
                            new DescribeConsumerGroupsOptions()
                                    .timeoutMs((int) Math.min(ms, 1 << 30))
                                    .includeAuthorizedOperations(true))
                    .describedGroups()
                    .get(config.groupId())
                    .get(ms + 2_000, TimeUnit.MILLISECONDS);
            return !lacks(group.authorizedOperations(), AclOperation.READ);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return true; // nobody joined it yet: what the principal may do with it shows once someone has
            }
            if (e.getCause() instanceof GroupAuthorizationException) {
                return false;
            }
            throw e;
        }
    }

    private static Failed failure(Throwable cause, KafkaConfig config, Duration timeout) {
        String where = "Kafka at " + config.bootstrapServers();
        return switch (cause) {
            case AuthenticationException e ->
                new Failed(
                        Problem.AUTHENTICATION,
                        where + " refused this client's credentials or TLS handshake (" + describe(e, config) + ")");
            case AuthorizationException e ->
                new Failed(
                        Problem.AUTHORIZATION,
                        where + " does not let this client's principal see the cluster (" + describe(e, config) + ")");
            case org.apache.kafka.common.errors.TimeoutException e -> unreachable(config, timeout, describe(e, config));
            default -> new Failed(Problem.UNREACHABLE, where + " could not be asked (" + describe(cause, config) + ")");
        };
    }

    private static Failed unreachable(KafkaConfig config, Duration timeout, String detail) {
        return new Failed(
                Problem.UNREACHABLE,
                "Kafka at " + config.bootstrapServers() + " did not answer within " + seconds(timeout) + " (" + detail
                        + ")");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** The innermost message with its type, secrets scrubbed. */
    private static String describe(Throwable e, KafkaConfig config) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        var text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return KafkaConfig.scrub(text, config.clientProperties());
    }
}

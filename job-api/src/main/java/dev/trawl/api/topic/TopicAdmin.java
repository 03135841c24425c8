package dev.trawl.api.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates Trawl's topics if they are missing and waits until every partition's leader serves it. Every service calls
 * it at start; it is idempotent.
 */
public final class TopicAdmin {

    private TopicAdmin() {
    }

    /** How long {@link #ensureTopics} waits for the partitions' leaders. */
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param replicationFactor replicas per partition (1 for a single local broker)
     */
    public static void ensureTopics(String bootstrapServers, Collection<Topic<?, ?>> topics, short replicationFactor) {
        ensureTopics(bootstrapServers, Map.of(), topics, replicationFactor);
    }

    /**
     * @param clientProperties  any other admin client setting, e.g. {@code security.protocol} and {@code sasl.*}
     * @param replicationFactor replicas per partition (1 for a single local broker)
     */
    public static void ensureTopics(String bootstrapServers, Map<String, ?> clientProperties,
                                    Collection<Topic<?, ?>> topics, short replicationFactor) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(clientProperties);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                wanted.add(new NewTopic(topic.name(), topic.partitions(), replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanupPolicy())));
            }
            var result = admin.createTopics(wanted);
            for (var entry : result.values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Waits until the leader of every partition of {@code topics} answers for it. A created topic is in the
     * metadata before its leader has set the partition up, and a producer whose first batch meets
     * {@code NOT_LEADER_OR_FOLLOWER} there can go on to fail every retry with {@code OUT_OF_ORDER_SEQUENCE_NUMBER}
     * until its delivery timeout (seen with an idempotent producer on a just-started broker). Listing the latest
     * offsets is served by each partition's leader; the admin client retries until every leader answers. The
     * partitions are the topics' actual ones: a topic created before with another partition count is waited for
     * as it is.
     */
    private static void awaitLeaders(Admin admin, Collection<Topic<?, ?>> topics) throws InterruptedException {
        long deadline = System.nanoTime() + LEADERS_TIMEOUT.toNanos();
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (var description : describe(admin, topics, deadline).values()) {
            for (var partition : description.partitions()) {
                partitions.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
            }
        }
        try {
            admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(remainingMillis(deadline)))
                    .all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the topics' partitions have no serving leader after "
                    + LEADERS_TIMEOUT.toSeconds() + " s", e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    /** The topics' descriptions, asked again while the broker does not know a just-created topic yet. */
    private static Map<String, TopicDescription> describe(Admin admin, Collection<Topic<?, ?>> topics, long deadline)
            throws InterruptedException {
        List<String> names = topics.stream().map(Topic::name).toList();
        while (true) {
            try {
                return admin.describeTopics(names).allTopicNames().get(remainingMillis(deadline),
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || remainingMillis(deadline) <= 100) {
                    throw new IllegalStateException("cannot describe the topics " + names, e.getCause());
                }
                Thread.sleep(50);
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot describe the topics " + names + " within "
                        + LEADERS_TIMEOUT.toSeconds() + " s", e);
            }
        }
    }

    private static int remainingMillis(long deadline) {
        return (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** Producing tasks and reading results on the shared embedded broker. */
public final class KafkaTestSupport {

    private KafkaTestSupport() {
    }

    /** Sends a crawl task the way the aggregator does: keyed by host shard, with deterministic ids. */
    public static CrawlTask submit(KafkaProducer<byte[], byte[]> producer, String parentId, String rawUrl) {
        String url = UrlNormalizer.normalize(rawUrl).orElseThrow();
        String childId = Ids.childId(parentId, url);
        CrawlTask task = new CrawlTask(parentId, childId, url, 1, 1, 1, Instant.now());
        String key = Ids.hostShardKey(UrlNormalizer.host(url), childId, 1);
        String topic = Topics.CRAWL_TASKS.name();
        producer.send(new ProducerRecord<>(topic, Topics.CRAWL_TASKS.keySerde().serializer().serialize(topic, key),
                Topics.CRAWL_TASKS.valueSerde().serializer().serialize(topic, task)));
        return task;
    }

    /** A task as {@link #submit} sends it, with where it landed. */
    record Sent(CrawlTask task, int partition, long offset) {
    }

    /** {@link #submit}, waiting for the broker's acknowledgement. */
    static Sent send(KafkaProducer<byte[], byte[]> producer, String parentId, String rawUrl)
            throws ExecutionException, InterruptedException {
        String url = UrlNormalizer.normalize(rawUrl).orElseThrow();
        String childId = Ids.childId(parentId, url);
        CrawlTask task = new CrawlTask(parentId, childId, url, 1, 1, 1, Instant.now());
        String key = Ids.hostShardKey(UrlNormalizer.host(url), childId, 1);
        String topic = Topics.CRAWL_TASKS.name();
        RecordMetadata metadata = producer.send(new ProducerRecord<>(topic,
                Topics.CRAWL_TASKS.keySerde().serializer().serialize(topic, key),
                Topics.CRAWL_TASKS.valueSerde().serializer().serialize(topic, task))).get();
        return new Sent(task, metadata.partition(), metadata.offset());
    }

    /** Adds the events of {@code parentIds} that {@code reader} returns in one poll to {@code events}. */
    static void pollEvents(KafkaConsumer<byte[], byte[]> reader, List<JobEvent> events, String... parentIds) {
        List<String> parents = List.of(parentIds);
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
            JobEvent event = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (parents.contains(event.parentId())) {
                events.add(event);
            }
        }
    }

    /** Terminal status events of {@code childId} among {@code events}. */
    static List<ChildStatusChanged> terminals(List<JobEvent> events, String childId) {
        return events.stream().filter(ChildStatusChanged.class::isInstance).map(ChildStatusChanged.class::cast)
                .filter(c -> c.childId().equals(childId) && c.status().isTerminal()).toList();
    }

    static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String bootstrap, String groupId)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin(bootstrap)) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        }
    }

    static int groupMembers(String bootstrap, String groupId) throws ExecutionException, InterruptedException {
        try (Admin admin = admin(bootstrap)) {
            return admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get().members()
                    .size();
        }
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(props);
    }

    /** A read_committed consumer over every partition of {@code topics}, from the beginning. */
    static KafkaConsumer<byte[], byte[]> readCommitted(String bootstrap, String... topics) {
        return TopicReader.fromStart(bootstrap, topics);
    }

    /** Makes a fresh consumer group start at the current end of the task topic, past other tests' tasks. */
    static void startGroupAtEnd(String bootstrap, String groupId) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(bootstrap, Topics.CRAWL_TASKS.name())) {
            consumer.endOffsets(consumer.assignment())
                    .forEach((partition, end) -> offsets.put(partition, new OffsetAndMetadata(end)));
        }
        try (Admin admin = admin(bootstrap)) {
            admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
        }
    }

    /** The kinds of events of one child in topic order: running, links, completed, failed. */
    static List<String> kinds(List<JobEvent> events, String childId) {
        List<String> kinds = new ArrayList<>();
        for (JobEvent event : events) {
            if (event instanceof ChildStatusChanged c && c.childId().equals(childId)) {
                kinds.add(c.status().name().toLowerCase(Locale.ROOT));
            } else if (event instanceof LinksDiscovered l && l.childId().equals(childId)) {
                kinds.add("links");
            }
        }
        return kinds;
    }

    static ChildStatusChanged terminal(List<JobEvent> events, String childId) {
        return events.stream().filter(ChildStatusChanged.class::isInstance).map(ChildStatusChanged.class::cast)
                .filter(c -> c.childId().equals(childId) && c.status().isTerminal()).findFirst().orElseThrow();
    }
}

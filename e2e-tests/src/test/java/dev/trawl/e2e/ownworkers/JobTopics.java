package dev.trawl.e2e.ownworkers;

import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/** Submits crawls to {@code trawl.job-events} as the gateway does, and reads the topics' committed records back. */
final class JobTopics implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<String, JobEvent> producer;

    JobTopics(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer = new KafkaProducer<>(props, new StringSerializer(), Topics.JOB_EVENTS.valueSerde().serializer());
    }

    /** Submits a crawl of {@code seed} and returns the parent id. */
    String submit(String name, String seed, int maxDepth, int maxPages) {
        String parentId = Ids.newParentId();
        CrawlSpec spec = new CrawlSpec(name, List.of(seed), maxDepth, maxPages, true, List.of(), List.of(),
                ErrorTolerance.UNLIMITED);
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), parentId,
                new JobSubmitted(Ids.eventId(parentId, "submitted"), parentId, Instant.now(), spec)));
        producer.flush();
        return parentId;
    }

    /** The parent's first terminal snapshot, waiting up to {@code atMost}. */
    ParentProgress awaitTerminal(String parentId, Duration atMost) {
        ParentProgress[] last = new ParentProgress[1];
        try (KafkaConsumer<byte[], byte[]> reader = TopicReader.fromStart(bootstrap, Topics.PARENT_PROGRESS.name())) {
            await().atMost(atMost).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    ParentProgress p = Topics.PARENT_PROGRESS.valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    if (p != null && p.id().equals(parentId)) {
                        last[0] = p;
                        if (p.status().isTerminal()) {
                            return true;
                        }
                    }
                }
                return false;
            });
        }
        return last[0];
    }

    /** Every committed record of {@code topic} up to its current end. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = TopicReader.open(bootstrap, true,
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024), topic)) {
            Map<TopicPartition, Long> end = new HashMap<>(reader.endOffsets(reader.assignment()));
            end.values().removeIf(offset -> offset == 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(all::add);
                end.keySet().removeIf(tp -> reader.position(tp) >= end.get(tp));
                return end.isEmpty();
            });
        }
        return all;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

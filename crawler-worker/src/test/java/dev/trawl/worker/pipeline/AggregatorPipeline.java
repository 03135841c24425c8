package dev.trawl.worker.pipeline;

import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The real aggregator on the shared embedded broker, started once per test JVM with an application id of its own
 * that starts at the end of {@code trawl.job-events} (so it does not replay other tests' parents). Tests submit a
 * crawl and read the parent's snapshots and committed records back.
 */
final class AggregatorPipeline {

    private static AggregatorPipeline shared;

    final String bootstrap;
    private final ProgressAggregator aggregator;
    private final KafkaProducer<String, JobEvent> producer;

    private AggregatorPipeline() {
        bootstrap = EmbeddedBroker.shared().bootstrapServers();
        try {
            aggregator = new ProgressAggregator(ProgressAggregator.Settings
                    .defaults(bootstrap, Files.createTempDirectory("worker-test-aggregator"))
                    .withApplicationId("worker-tests-aggregator-" + UUID.randomUUID())
                    .withOverrides(Map.of("consumer." + ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        aggregator.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> aggregator.state() == KafkaStreams.State.RUNNING
                && aggregator.activeTaskCount() > 0);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer = new KafkaProducer<>(props, new StringSerializer(), Topics.JOB_EVENTS.valueSerde().serializer());
    }

    static synchronized AggregatorPipeline shared() {
        if (shared == null) {
            shared = new AggregatorPipeline();
            EmbeddedBroker.closeBeforeShared(() -> {
                shared.producer.close();
                shared.aggregator.close();
            });
        }
        return shared;
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
        try (KafkaConsumer<byte[], byte[]> reader = readCommitted(Topics.PARENT_PROGRESS.name())) {
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

    /** Every committed record of {@code topic} up to its current end, as (key, value bytes). */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = readCommitted(topic)) {
            Map<TopicPartition, Long> end = new HashMap<>(reader.endOffsets(reader.assignment()));
            end.values().removeIf(offset -> offset == 0);
            while (!end.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    all.add(r);
                }
                end.keySet().removeIf(tp -> reader.position(tp) >= end.get(tp));
            }
        }
        return all;
    }

    KafkaConsumer<byte[], byte[]> readCommitted(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}

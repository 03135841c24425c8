package dev.trawl.aggregator.streamsinternals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteBehindStore} under exactly-once on a real broker: once a commit covers an input record, the
 * changelog committed with it holds that record's writes, though the store serialised nothing until the commit.
 * A store that wrote only on {@code flush()} (after the commit) or on close would leave the last writes out.
 */
class WriteBehindStoreTest {

    private static final String STORE = "write-behind";
    private static final int KEYS = 40;
    private static final int RECORDS = 400;

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final ConcurrentLinkedQueue<String> wrongReads = new ConcurrentLinkedQueue<>();

    /** Writes each value twice (a draft, then the final one), deletes on a null value, and checks what it reads. */
    private final class Writer implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            String key = record.key();
            if (record.value() == null) {
                store.delete(key);
            } else {
                store.put(key, record.value() + "-draft");
                store.put(key, record.value());
            }
            if (!Objects.equals(store.get(key), record.value())) {
                wrongReads.add("get " + key);
            }
            if (record.value() != null && record.value().endsWith("0")) { // a scan sees the unflushed writes too
                try (KeyValueIterator<String, String> it = store.prefixScan(key, new StringSerializer())) {
                    boolean found = false;
                    while (it.hasNext()) {
                        var entry = it.next();
                        found |= entry.key.equals(key) && entry.value.equals(record.value());
                    }
                    if (!found) {
                        wrongReads.add("scan " + key);
                    }
                }
            }
        }
    }

    @Test
    void everyCommittedRecordsWritesAreInTheChangelogCommittedWithIt() throws Exception {
        String id = "write-behind-" + UUID.randomUUID().toString().substring(0, 8);
        String input = id + "-input";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(input, 2, (short) 1))).all().get();

            Topology topology = new Topology();
            topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), input);
            topology.addProcessor("writer", Writer::new, "in");
            // 8 objects for 40 keys: most writes are also evicted dirty, and written before their commit
            topology.addStateStore(WriteBehindStore.builder(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String()), 8), "writer");

            Map<String, String> expected = new HashMap<>();
            try (KafkaStreams streams = new KafkaStreams(topology, properties(id));
                 KafkaProducer<String, String> producer = producer()) {
                streams.start();
                for (int i = 0; i < RECORDS; i++) {
                    String key = "k" + (i % KEYS);
                    String value = i % 13 == 0 ? null : "v" + i;
                    producer.send(new ProducerRecord<>(input, key, value));
                    if (value == null) {
                        expected.remove(key);
                    } else {
                        expected.put(key, value);
                    }
                }
                producer.flush();
                Map<TopicPartition, Long> ends;
                try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(bootstrap, input)) {
                    ends = consumer.endOffsets(consumer.assignment());
                }
                // the moment the commit covers every input record, and not after a clean close
                await().atMost(Duration.ofSeconds(60)).until(() -> committed(admin, id).equals(ends));

                Map<String, String> changelog = readToEnd(id + "-" + STORE + "-changelog");
                assertThat(changelog).isEqualTo(expected);
                assertThat(wrongReads).isEmpty();
            }
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String groupId) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e
                : admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet()) {
            if (e.getValue() != null) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
        }
        return offsets;
    }

    private Map<String, String> readToEnd(String topic) {
        Map<String, String> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(bootstrap, topic)) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            while (consumer.assignment().stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        latest.remove(key);
                    } else {
                        latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return latest;
    }

    private Properties properties(String id) throws Exception {
        return StreamsOnBroker.properties(bootstrap, id);
    }

    private KafkaProducer<String, String> producer() {
        return StreamsOnBroker.producer(bootstrap);
    }
}

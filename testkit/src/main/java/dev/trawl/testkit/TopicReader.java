package dev.trawl.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A {@code read_committed} consumer over every partition of some topics, without a group (nothing is committed):
 * how tests and benchmarks read what the pipeline wrote. Values are bytes; decode them with the topic's serde.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /** Reads {@code topics} from their beginning. */
    public static KafkaConsumer<byte[], byte[]> fromStart(String bootstrap, String... topics) {
        return open(bootstrap, true, Map.of(), topics);
    }

    /** Reads only what is written to {@code topics} after this call returns. */
    public static KafkaConsumer<byte[], byte[]> fromNow(String bootstrap, String... topics) {
        return open(bootstrap, false, Map.of(), topics);
    }

    /** As above, with further consumer settings. */
    public static KafkaConsumer<byte[], byte[]> open(String bootstrap, boolean fromStart, Map<String, Object> config,
                                                     String... topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(config);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        if (fromStart) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve "the end" now, not at the first poll
        }
        return consumer;
    }
}

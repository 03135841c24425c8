package dev.trawl.api.topic;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with its key and value serdes, declared once in {@link Topics}.
 *
 * @param compacted cleanup policy {@code compact} (latest value per key) rather than {@code delete}
 * @param partitions partitions when Trawl creates the topic
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, boolean compacted, int partitions) {

    public String cleanupPolicy() {
        return compacted ? "compact" : "delete";
    }
}

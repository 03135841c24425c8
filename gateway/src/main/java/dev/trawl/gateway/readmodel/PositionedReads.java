package dev.trawl.gateway.readmodel;

import dev.trawl.gateway.TopicBootstrap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The consumer that reads records back at positions the read model recorded: assigned, never in a group. */
final class PositionedReads {

    private PositionedReads() {
    }

    /**
     * A read_committed consumer without a group or committed offsets, for seeks to recorded offsets.
     *
     * @param clientIdPrefix names the consumer in the broker's logs and metrics
     * @param settings       more consumer settings (poll size, fetch wait)
     */
    static KafkaConsumer<String, byte[]> consumer(TopicBootstrap topics, String clientIdPrefix,
                                                  Map<String, Object> settings) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(settings);
        props.putAll(topics.clientProperties());
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}

package dev.trawl.gateway;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the Kafka cluster is.
 *
 * @param bootstrapServers  {@code trawl.kafka.bootstrap-servers}, default {@code localhost:9092}
 * @param replicationFactor {@code trawl.kafka.replication-factor} for topics the gateway creates, default 1
 * @param properties        {@code trawl.kafka.properties.*}: any Kafka client setting (security, SASL, TLS, tuning)
 *                          given to every client of the gateway after its own, e.g. from
 *                          {@code TRAWL_KAFKA_PROPERTIES_SECURITY_PROTOCOL} (docs/operations.md)
 */
@ConfigurationProperties("trawl.kafka")
public record TrawlKafkaProperties(
        @DefaultValue("localhost:9092") String bootstrapServers,
        @DefaultValue("1") short replicationFactor,
        Map<String, String> properties) {

    public TrawlKafkaProperties {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}

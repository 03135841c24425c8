package dev.trawl.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the Kafka cluster is.
 *
 * @param bootstrapServers  {@code trawl.kafka.bootstrap-servers}, default {@code localhost:9092}
 * @param replicationFactor {@code trawl.kafka.replication-factor} for topics the gateway creates, default 1
 */
@ConfigurationProperties("trawl.kafka")
public record TrawlKafkaProperties(
        @DefaultValue("localhost:9092") String bootstrapServers,
        @DefaultValue("1") short replicationFactor) {
}

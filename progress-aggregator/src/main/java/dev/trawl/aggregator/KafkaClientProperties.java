package dev.trawl.aggregator;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code trawl.kafka.properties.*}: any Kafka client setting (security, SASL, TLS, tuning) given to every client of
 * the aggregator's Kafka Streams (its consumers, producers and admin) and to the admin client that checks the topics,
 * applied after Trawl's own. From the environment, e.g. {@code TRAWL_KAFKA_PROPERTIES_SECURITY_PROTOCOL=SASL_SSL}
 * (docs/operations.md, "Running against an existing Kafka cluster").
 */
@ConfigurationProperties("trawl.kafka")
public record KafkaClientProperties(Map<String, String> properties) {

    public KafkaClientProperties {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}

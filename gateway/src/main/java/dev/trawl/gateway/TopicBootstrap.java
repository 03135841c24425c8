package dev.trawl.gateway;

import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes sure every Trawl topic exists before the gateway's producer and read-model consumer start; the Kafka
 * beans take it as a constructor argument so the order is explicit. Idempotent, like every service's start.
 */
@Component
public class TopicBootstrap {

    private static final Logger log = LoggerFactory.getLogger(TopicBootstrap.class);

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;

    public TopicBootstrap(TrawlKafkaProperties kafka) {
        this.bootstrapServers = kafka.bootstrapServers();
        this.clientProperties = kafka.properties();
        TopicAdmin.ensureTopics(bootstrapServers, clientProperties, Topics.ALL, kafka.replicationFactor());
        log.info("Trawl topics present on {}", bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code trawl.kafka.properties.*}, for every client of the gateway to apply after its own settings. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }
}

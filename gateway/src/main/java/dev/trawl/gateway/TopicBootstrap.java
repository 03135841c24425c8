package dev.trawl.gateway;

import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
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

    public TopicBootstrap(TrawlKafkaProperties kafka) {
        this.bootstrapServers = kafka.bootstrapServers();
        TopicAdmin.ensureTopics(bootstrapServers, Topics.ALL, kafka.replicationFactor());
        log.info("Trawl topics present on {}", bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}

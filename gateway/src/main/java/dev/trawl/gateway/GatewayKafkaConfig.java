package dev.trawl.gateway;

import dev.trawl.api.event.JobEvent;
import dev.trawl.api.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The gateway's spring-kafka producer, built from {@code trawl.kafka.*} rather than by Boot's Kafka
 * auto-configuration: every client of the gateway (this producer, the read model's container, the positioned reads
 * of children and Markdown) takes its cluster and its {@code trawl.kafka.properties.*} from one place,
 * {@link TopicBootstrap}, whose defaults live in code; a second namespace ({@code spring.kafka.*}) that reached only
 * some of them would mislead an operator.
 */
@Configuration(proxyBeanMethods = false)
class GatewayKafkaConfig {

    /**
     * Commands to {@code trawl.job-events}: idempotent with {@code acks=all}, so an acknowledged send is durable and
     * is not written twice by a retry; no linger, a submission waits for nothing but the broker.
     */
    @Bean
    ProducerFactory<String, JobEvent> jobEventProducerFactory(TopicBootstrap topics) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "trawl-gateway-commands-" + UUID.randomUUID());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // a request thread waits at most this long for metadata when the cluster is away
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(topics.clientProperties());
        DefaultKafkaProducerFactory<String, JobEvent> factory = new DefaultKafkaProducerFactory<>(props,
                Topics.JOB_EVENTS.keySerde().serializer(), Topics.JOB_EVENTS.valueSerde().serializer());
        factory.setPhysicalCloseTimeout((int) Duration.ofSeconds(5).toSeconds());
        return factory;
    }

    @Bean
    KafkaTemplate<String, JobEvent> jobEventTemplate(ProducerFactory<String, JobEvent> jobEventProducerFactory) {
        KafkaTemplate<String, JobEvent> template = new KafkaTemplate<>(jobEventProducerFactory);
        template.setDefaultTopic(Topics.JOB_EVENTS.name());
        return template;
    }
}

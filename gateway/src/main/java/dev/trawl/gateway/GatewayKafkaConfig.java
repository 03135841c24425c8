package dev.trawl.gateway;

import dev.trawl.api.event.JobEvent;
import dev.trawl.api.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The gateway's spring-kafka factories, built from {@code trawl.kafka.*} rather than by Boot's Kafka
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

    /**
     * The read model's consumer ({@code ReadModelConsumer}): no group (every partition is assigned, nothing is
     * committed), {@code read_committed}, a short fetch wait because snapshots arrive in the aggregator's
     * transactions and every millisecond shows on a watcher's screen. Values stay bytes: the listener decodes them,
     * so that one unreadable record is skipped rather than handed to an error handler. The consumer's own metrics
     * (its lag: {@code kafka.consumer.fetch.manager.records.lag.max}) are meters while it runs.
     */
    @Bean
    ConsumerFactory<String, byte[]> readModelConsumerFactory(TopicBootstrap topics,
                                                            ObjectProvider<MeterRegistry> meters) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "trawl-gateway-readmodel-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        props.putAll(topics.clientProperties());
        DefaultKafkaConsumerFactory<String, byte[]> factory = new DefaultKafkaConsumerFactory<>(props,
                new StringDeserializer(), new ByteArrayDeserializer());
        meters.ifAvailable(registry -> factory.addListener(new MicrometerConsumerListener<>(registry)));
        return factory;
    }
}

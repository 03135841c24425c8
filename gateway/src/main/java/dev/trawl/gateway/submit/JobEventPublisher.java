package dev.trawl.gateway.submit;

import dev.trawl.api.event.JobEvent;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.TopicBootstrap;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Appends user commands (submit, cancel) to {@code trawl.job-events}, keyed by parent id so they sit in the
 * parent's log in order. Idempotent producer with {@code acks=all}: a completed future means the event is durable
 * and will not be written twice by a producer retry.
 */
@Component
public class JobEventPublisher implements DisposableBean {

    private final KafkaProducer<String, JobEvent> producer;

    public JobEventPublisher(TopicBootstrap topics) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "trawl-gateway-commands-" + UUID.randomUUID());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // a request thread waits at most this long for metadata when the cluster is away
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(topics.clientProperties());
        producer = new KafkaProducer<>(props, Topics.JOB_EVENTS.keySerde().serializer(),
                Topics.JOB_EVENTS.valueSerde().serializer());
    }

    /** Completes once the broker acknowledged {@code event}, or exceptionally when it could not be written. */
    public CompletableFuture<RecordMetadata> publish(JobEvent event) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), event.parentId(), event),
                    (metadata, error) -> {
                        if (error != null) {
                            acked.completeExceptionally(error);
                        } else {
                            acked.complete(metadata);
                        }
                    });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void destroy() {
        producer.close(Duration.ofSeconds(5));
    }
}

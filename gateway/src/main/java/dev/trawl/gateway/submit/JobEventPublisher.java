package dev.trawl.gateway.submit;

import dev.trawl.api.event.JobEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Appends user commands (submit, cancel) to {@code trawl.job-events}, keyed by parent id so they sit in the
 * parent's log in order, with the gateway's {@link KafkaTemplate} (idempotent, {@code acks=all}: see
 * {@code GatewayKafkaConfig}): a completed future means the event is durable and will not be written twice by a
 * producer retry.
 */
@Component
public class JobEventPublisher {

    private final KafkaTemplate<String, JobEvent> template;

    public JobEventPublisher(KafkaTemplate<String, JobEvent> jobEventTemplate) {
        this.template = jobEventTemplate;
    }

    /**
     * Completes once the broker acknowledged {@code event}, or exceptionally with the Kafka client's own exception
     * (not spring-kafka's wrapper: the REST layer answers 503 to those) when it could not be written.
     */
    public CompletableFuture<RecordMetadata> publish(JobEvent event) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            template.sendDefault(event.parentId(), event).whenComplete((result, error) -> {
                if (error != null) {
                    acked.completeExceptionally(clientCause(error));
                } else {
                    acked.complete(result.getRecordMetadata());
                }
            });
        } catch (RuntimeException e) { // the template throws what the producer refused at once
            acked.completeExceptionally(clientCause(e));
        }
        return acked;
    }

    private static Throwable clientCause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof KafkaException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

package dev.trawl.aggregator.errors;

import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record the aggregator cannot read to {@code trawl.dead-letters}, as it was, with the reason and its
 * origin in headers, and goes on (KIP-1034: the dead letter is produced in the same transaction as the task's
 * other output).
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        String reason = exception.getMessage() == null ? exception.getClass().getName() : exception.getMessage();
        log.warn("unreadable record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                Topics.DEAD_LETTERS.name(), reason);
        return Response.resume(List.of(DeadLetters.record(record.key(), record.value(), record.headers(), reason,
                record.topic(), record.partition(), record.offset(), "progress-aggregator")));
    }
}

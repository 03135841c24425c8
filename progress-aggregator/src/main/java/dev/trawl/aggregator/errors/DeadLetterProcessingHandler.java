package dev.trawl.aggregator.errors;

import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for an event the processor failed on (a bug, since events are validated first): the original
 * record goes to {@code trawl.dead-letters} with the exception as its reason, and processing goes on rather than
 * failing the same record forever.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String reason = "processing failed: " + exception;
        log.error("event {}-{}@{} failed in {}; sent to {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), Topics.DEAD_LETTERS.name(), exception);
        return Response.resume(List.of(DeadLetters.record(context.sourceRawKey(), context.sourceRawValue(),
                context.headers(), reason, context.topic(), context.partition(), context.offset(),
                "progress-aggregator")));
    }
}

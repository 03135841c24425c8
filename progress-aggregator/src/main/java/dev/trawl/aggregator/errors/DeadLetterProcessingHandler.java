package dev.trawl.aggregator.errors;

import dev.trawl.api.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
        RecordHeaders headers = new RecordHeaders(context.headers().toArray());
        headers.add(Topics.DLT_REASON_HEADER, bytes(reason));
        headers.add(Topics.DLT_SOURCE_TOPIC_HEADER, bytes(context.topic()));
        headers.add(Topics.DLT_SOURCE_PARTITION_HEADER, bytes(String.valueOf(context.partition())));
        headers.add(Topics.DLT_SOURCE_OFFSET_HEADER, bytes(String.valueOf(context.offset())));
        headers.add(Topics.DLT_APPLICATION_HEADER, bytes("progress-aggregator"));
        return Response.resume(List.of(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, context.sourceRawKey(),
                context.sourceRawValue(), headers)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

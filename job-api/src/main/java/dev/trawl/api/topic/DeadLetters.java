package dev.trawl.api.topic;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters on {@code trawl.dead-letters}: the original key and value as they were, the original headers, and
 * why and where from in {@code trawl.dlt.*} headers. Every producer of dead letters builds them here.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * The original headers (if any) plus the dead-letter headers.
     *
     * @param partition of the source record, or -1 when unknown
     * @param offset    of the source record, or -1 when unknown
     */
    public static Headers headers(Headers original, String reason, String sourceTopic, int partition, long offset,
                                  String application) {
        RecordHeaders headers = original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
        headers.add(Topics.DLT_REASON_HEADER, utf8(reason));
        headers.add(Topics.DLT_SOURCE_TOPIC_HEADER, utf8(sourceTopic));
        if (partition >= 0) {
            headers.add(Topics.DLT_SOURCE_PARTITION_HEADER, utf8(String.valueOf(partition)));
        }
        if (offset >= 0) {
            headers.add(Topics.DLT_SOURCE_OFFSET_HEADER, utf8(String.valueOf(offset)));
        }
        headers.add(Topics.DLT_APPLICATION_HEADER, utf8(application));
        return headers;
    }

    /** A dead letter of the raw record {@code key}/{@code value}. */
    public static ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value, Headers original, String reason,
                                                        String sourceTopic, int partition, long offset,
                                                        String application) {
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, key, value,
                headers(original, reason, sourceTopic, partition, offset, application));
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}

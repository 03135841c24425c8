package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.TopicBootstrap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Reads a document's Markdown from {@code trawl.documents} at the offset the read model recorded. Compaction only
 * removes a record once a newer one with the same key exists, and the read model then points at the newer one, so
 * the offset stays readable; a record that is gone anyway (a race with compaction or a tombstone) reads as empty.
 * One consumer, used by one request at a time: document reads are rare next to the live traffic.
 */
@Component
public class MarkdownStore implements DisposableBean {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConsumer<String, byte[]> consumer;

    public MarkdownStore(TopicBootstrap topics) {
        consumer = PositionedReads.consumer(topics, "trawl-gateway-markdown-",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
    }

    /** The Markdown of {@code document}, or empty when its record can no longer be read. */
    public synchronized Optional<String> markdown(StoredDocument document) {
        TopicPartition partition = new TopicPartition(Topics.DOCUMENTS.name(), document.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, document.offset());
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() > document.offset()) {
                    return Optional.empty(); // compacted away
                }
                if (record.offset() == document.offset()) {
                    DocumentSaved saved = Topics.DOCUMENTS.valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    if (saved == null || !saved.documentId().equals(document.metadata().documentId())) {
                        return Optional.empty();
                    }
                    return Optional.of(saved.markdown() == null ? "" : saved.markdown());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void destroy() {
        consumer.close(Duration.ofSeconds(5));
    }
}

package dev.trawl.exporter;

import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Exports each record of {@code trawl.documents} (key: document id, value: {@link DocumentSaved} JSON, null for a
 * tombstone) to {@link MarkdownFiles}. Values arrive as bytes and are read here with the topic's own serde, so a
 * record nobody can read fails this listener, and {@link ExporterKafkaConfig}'s error handler sends it, as it was,
 * to {@code trawl.dead-letters}.
 */
@Component
public class DocumentsListener {

    private static final Logger log = LoggerFactory.getLogger(DocumentsListener.class);

    private final MarkdownFiles files;
    private final Deserializer<DocumentSaved> documents = Topics.DOCUMENTS.valueSerde().deserializer();
    private final Counter written;
    private final Counter deleted;

    public DocumentsListener(MarkdownFiles files, MeterRegistry meters) {
        this.files = files;
        this.written = Counter.builder("trawl.exporter.documents").tag("action", "written")
                .description("documents of trawl.documents written as Markdown files").register(meters);
        this.deleted = Counter.builder("trawl.exporter.documents").tag("action", "deleted")
                .description("files removed for a tombstone on trawl.documents").register(meters);
    }

    @KafkaListener(id = "documents-exporter", topics = "trawl.documents", groupId = "${trawl.exporter.group-id}")
    public void onDocument(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            files.delete(record.key());
            deleted.increment();
            return;
        }
        DocumentSaved document = documents.deserialize(record.topic(), record.value());
        var file = files.write(document);
        written.increment();
        log.debug("exported {} ({}) to {}", document.documentId(), document.url(), file);
    }
}

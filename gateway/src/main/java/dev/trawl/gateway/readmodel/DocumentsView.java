package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.DocumentSaved;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code trawl.documents} holds: each saved document's metadata and its offset in the topic (the Markdown is
 * read from the topic on demand, by {@link MarkdownStore}), by document id and grouped by parent. Written by the
 * {@link ReadModel} on the consumer thread, read by any thread.
 */
final class DocumentsView {

    private final Map<String, StoredDocument> documents = new ConcurrentHashMap<>();
    private final Map<String, Map<String, StoredDocument>> documentsByParent = new ConcurrentHashMap<>();

    List<DocumentSaved> documents(String parentId) {
        Map<String, StoredDocument> docs = documentsByParent.get(parentId);
        return docs == null ? List.of() : docs.values().stream().map(StoredDocument::metadata).toList();
    }

    Optional<StoredDocument> document(String documentId) {
        return Optional.ofNullable(documents.get(documentId));
    }

    boolean knows(String parentId) {
        return documentsByParent.containsKey(parentId);
    }

    /** Holds {@code saved} at {@code partition}/{@code offset}; a null {@code saved} (a tombstone) removes it. */
    void apply(String documentId, DocumentSaved saved, int partition, long offset) {
        StoredDocument document = saved == null ? null : StoredDocument.of(saved, partition, offset);
        StoredDocument previous = document == null ? documents.remove(documentId) : documents.put(documentId, document);
        if (previous != null && (document == null
                || !previous.metadata().parentId().equals(document.metadata().parentId()))) {
            Grouped.remove(documentsByParent, previous.metadata().parentId(), documentId);
        }
        if (document != null) {
            documentsByParent.computeIfAbsent(saved.parentId(), id -> new ConcurrentHashMap<>())
                    .put(documentId, document);
        }
    }

    /** Forgets every document of {@code parentId} (its parent's tombstone); true if it had any. */
    boolean removeParent(String parentId) {
        Map<String, StoredDocument> docs = documentsByParent.remove(parentId);
        if (docs == null) {
            return false;
        }
        docs.keySet().forEach(documentId -> documents.computeIfPresent(documentId,
                (id, document) -> document.metadata().parentId().equals(parentId) ? null : document));
        return true;
    }
}

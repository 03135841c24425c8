package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.DocumentSaved;

/**
 * A document's metadata as the read model holds it, with where its record sits in {@code trawl.documents}. The
 * Markdown is not kept in memory ({@code metadata.markdown()} is null): {@link MarkdownStore} reads it from the
 * compacted topic on demand, so the gateway's heap does not grow with the text of everything ever crawled.
 */
public record StoredDocument(DocumentSaved metadata, int partition, long offset, int markdownLength) {

    static StoredDocument of(DocumentSaved document, int partition, long offset) {
        DocumentSaved withoutText = new DocumentSaved(document.documentId(), document.parentId(), document.childId(),
                document.url(), document.finalUrl(), document.canonicalUrl(), document.title(), document.language(),
                null, document.contentHash(), document.httpStatus(), document.bytes(), document.truncated(),
                document.fetchedAt());
        return new StoredDocument(withoutText, partition, offset,
                document.markdown() == null ? 0 : document.markdown().length());
    }
}

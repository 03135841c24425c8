package dev.trawl.gateway.api;

import dev.trawl.api.event.DocumentSaved;
import java.time.Instant;

/** A saved document with its Markdown ({@code GET /api/documents/{id}} as JSON). */
public record DocumentView(
        String id,
        String parentId,
        String childId,
        String url,
        String finalUrl,
        String canonicalUrl,
        String title,
        String language,
        String contentHash,
        int httpStatus,
        long bytes,
        boolean truncated,
        Instant fetchedAt,
        String markdown) {

    static DocumentView of(DocumentSaved d, String markdown) {
        return new DocumentView(d.documentId(), d.parentId(), d.childId(), d.url(), d.finalUrl(), d.canonicalUrl(),
                d.title(), d.language(), d.contentHash(), d.httpStatus(), d.bytes(), d.truncated(), d.fetchedAt(),
                markdown);
    }
}

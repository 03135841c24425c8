package dev.trawl.gateway.api;

import dev.trawl.api.event.DocumentSaved;
import java.time.Instant;

/** A saved document's metadata, without its Markdown ({@code GET /api/jobs/{id}/documents}). */
public record DocumentSummary(
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
        Instant fetchedAt) {

    static DocumentSummary of(DocumentSaved d) {
        return new DocumentSummary(d.documentId(), d.parentId(), d.childId(), d.url(), d.finalUrl(),
                d.canonicalUrl(), d.title(), d.language(), d.contentHash(), d.httpStatus(), d.bytes(), d.truncated(),
                d.fetchedAt());
    }
}

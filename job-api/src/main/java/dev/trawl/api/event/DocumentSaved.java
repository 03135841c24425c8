package dev.trawl.api.event;

import java.time.Instant;

/**
 * A page converted to Markdown. Topic {@code trawl.documents} (compacted), keyed by document id: a public
 * interface that downstream consumers read.
 *
 * @param url          the URL the child was scheduled for
 * @param finalUrl     the URL after redirects
 * @param canonicalUrl {@code <link rel=canonical>}, if any
 * @param contentHash  SHA-256 of the Markdown, hex
 * @param bytes        size of the fetched HTML body
 * @param truncated    the body or the Markdown hit a size cap
 */
public record DocumentSaved(
        String documentId,
        String parentId,
        String childId,
        String url,
        String finalUrl,
        String canonicalUrl,
        String title,
        String language,
        String markdown,
        String contentHash,
        int httpStatus,
        long bytes,
        boolean truncated,
        Instant fetchedAt) {
}

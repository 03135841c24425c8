package dev.trawl.api.event;

import java.time.Instant;

/**
 * The current state of one child. Topic {@code trawl.child-progress} (compacted), keyed by child id; the
 * gateway's children view is built from it.
 */
public record ChildProgress(
        String childId,
        String parentId,
        String url,
        int depth,
        ChildStatus status,
        int attempt,
        String reason,
        ReasonClass reasonClass,
        Integer httpStatus,
        String documentId,
        Instant updatedAt) {
}

package dev.trawl.aggregator.state;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ReasonClass;
import java.time.Instant;

/**
 * What the aggregator knows of one child. Stored in {@code trawl-children} under {@code parentId/childId}, so a
 * prefix scan finds a parent's children.
 */
public record ChildState(
        String childId,
        String url,
        int depth,
        ChildStatus status,
        int attempt,
        String reason,
        ReasonClass reasonClass,
        Integer httpStatus,
        String documentId,
        Instant updatedAt) {

    public static ChildState pending(String childId, String url, int depth, Instant at) {
        return new ChildState(childId, url, depth, ChildStatus.PENDING, 1, null, null, null, null, at);
    }

    public ChildState withStatus(ChildStatus newStatus, int newAttempt, String newReason, ReasonClass newReasonClass,
                                 Integer newHttpStatus, String newDocumentId, Instant at) {
        return new ChildState(childId, url, depth, newStatus, newAttempt, newReason, newReasonClass, newHttpStatus,
                newDocumentId, at);
    }

    public ChildProgress toProgress(String parentId) {
        return new ChildProgress(childId, parentId, url, depth, status, attempt, reason, reasonClass, httpStatus,
                documentId, updatedAt);
    }

    /** Store key of a child: the parent id first, so {@code prefixScan(parentId + "/")} lists its children. */
    public static String storeKey(String parentId, String childId) {
        return parentId + "/" + childId;
    }

    public static String storePrefix(String parentId) {
        return parentId + "/";
    }
}

package dev.trawl.api.event;

import java.time.Instant;

/**
 * A child moved to {@code status} in attempt {@code attempt}. Terminal events carry the outcome: a
 * {@code COMPLETED} one names the saved document, a {@code FAILED} one always has a reason.
 *
 * @param httpStatus  last HTTP status seen, or null when no response arrived
 * @param documentId  the saved document (completed only)
 * @param bytes       size of the fetched body (completed only), 0 otherwise
 */
public record ChildStatusChanged(
        String eventId,
        String parentId,
        String childId,
        String url,
        int depth,
        ChildStatus status,
        int attempt,
        Instant timestamp,
        String reason,
        ReasonClass reasonClass,
        Integer httpStatus,
        String documentId,
        long bytes) implements JobEvent {

    public static ChildStatusChanged running(String eventId, CrawlTask task, Instant at) {
        return new ChildStatusChanged(eventId, task.parentId(), task.childId(), task.url(), task.depth(),
                ChildStatus.RUNNING, task.attempt(), at, null, null, null, null, 0);
    }

    public static ChildStatusChanged completed(String eventId, CrawlTask task, Instant at, int httpStatus,
                                               String documentId, long bytes) {
        return new ChildStatusChanged(eventId, task.parentId(), task.childId(), task.url(), task.depth(),
                ChildStatus.COMPLETED, task.attempt(), at, null, null, httpStatus, documentId, bytes);
    }

    public static ChildStatusChanged failed(String eventId, CrawlTask task, Instant at, String reason,
                                            ReasonClass reasonClass, Integer httpStatus) {
        return new ChildStatusChanged(eventId, task.parentId(), task.childId(), task.url(), task.depth(),
                ChildStatus.FAILED, task.attempt(), at, reason, reasonClass, httpStatus, null, 0);
    }
}

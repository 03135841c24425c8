package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ReasonClass;
import java.time.Instant;

/**
 * One entry of a job's log: a child reached {@code status} (or started another attempt). {@code seq} numbers the
 * entries of one job in the order this gateway saw them (1, 2, …); it is local to a gateway replica and restarts
 * with it.
 */
public record ChildTransition(
        long seq,
        String jobId,
        String childId,
        String url,
        int depth,
        ChildStatus status,
        int attempt,
        String reason,
        ReasonClass reasonClass,
        Integer httpStatus,
        String documentId,
        Instant at) {

    static ChildTransition of(long seq, String childId, ChildProgress c) {
        return new ChildTransition(seq, c.parentId(), childId, c.url(), c.depth(), c.status(), c.attempt(), c.reason(),
                c.reasonClass(), c.httpStatus(), c.documentId(), c.updatedAt());
    }
}

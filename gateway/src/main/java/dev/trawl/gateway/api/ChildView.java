package dev.trawl.gateway.api;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ReasonClass;
import java.time.Instant;

/** One child job of a parent, as {@code GET /api/jobs/{id}/children} lists it. */
public record ChildView(
        String id,
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

    static ChildView of(String childId, ChildProgress c) {
        return new ChildView(childId != null ? childId : c.childId(), c.parentId(), c.url(), c.depth(), c.status(),
                c.attempt(), c.reason(), c.reasonClass(), c.httpStatus(), c.documentId(), c.updatedAt());
    }
}

package dev.trawl.api.event;

import java.time.Instant;

/** Fine-grained progress of a generic job or one of its children; the latest is part of the job's snapshot. */
public record ProgressReported(String eventId, String parentId, Instant timestamp, ProgressDetail detail)
        implements JobEvent {
}

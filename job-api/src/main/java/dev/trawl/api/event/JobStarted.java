package dev.trawl.api.event;

import java.time.Instant;

/**
 * A generic job (any type but a crawl) started, through a {@link dev.trawl.api.report.ProgressReporter}. Its
 * children are declared with {@link ChildAdded}; it ends once {@link JobSealed} says no more will come and every
 * child has finished.
 */
public record JobStarted(String eventId, String parentId, Instant timestamp, String jobType, String name)
        implements JobEvent {
}

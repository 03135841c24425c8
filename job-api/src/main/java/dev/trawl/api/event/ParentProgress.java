package dev.trawl.api.event;

import java.time.Instant;

/**
 * The exact aggregate of one parent job. Topic {@code trawl.parent-progress} (compacted), keyed by parent id.
 * {@code version} strictly increases with every snapshot of a parent.
 *
 * @param progress    finished children / total, 0..1
 * @param etaSeconds  estimated seconds to completion, null while unknown
 * @param warning     set when the parent ended under {@code mark_warning} past its tolerance
 */
public record ParentProgress(
        String id,
        String name,
        JobStatus status,
        long pending,
        long running,
        long completed,
        long failed,
        long cancelled,
        long total,
        long documentCount,
        long bytes,
        double progress,
        Long etaSeconds,
        String progressText,
        Instant createdAt,
        Instant startedAt,
        Instant updatedAt,
        Instant finishedAt,
        String warning,
        long version) {
}

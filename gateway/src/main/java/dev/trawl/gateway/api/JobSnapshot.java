package dev.trawl.gateway.api;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.progress.ProgressText;
import java.time.Instant;

/**
 * A parent job as every external surface shows it (REST, WebSocket, SSE, NDJSON). Field names are the public
 * contract of ARCHITECTURE.md; it mirrors {@link ParentProgress} today but is its own type so the event can evolve
 * without changing the API.
 */
public record JobSnapshot(
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

    public static JobSnapshot of(ParentProgress p) {
        return new JobSnapshot(p.id(), p.name(), p.status(), p.pending(), p.running(), p.completed(), p.failed(),
                p.cancelled(), p.total(), p.documentCount(), p.bytes(), p.progress(), p.etaSeconds(),
                p.progressText() != null ? p.progressText()
                        : ProgressText.format(p.pending(), p.running(), p.completed(), p.failed()),
                p.createdAt(), p.startedAt(), p.updatedAt(), p.finishedAt(), p.warning(), p.version());
    }

    /** What a just-submitted job looks like before the aggregator's first snapshot: version 0, nothing counted. */
    public static JobSnapshot submitted(String id, String name, Instant createdAt) {
        return new JobSnapshot(id, name, JobStatus.PENDING, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, null,
                ProgressText.format(0, 0, 0, 0), createdAt, null, createdAt, null, null, 0);
    }

    public boolean terminal() {
        return status != null && status.isTerminal();
    }
}

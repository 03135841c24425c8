package dev.trawl.gateway.api;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobTypes;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.progress.ProgressText;
import java.time.Instant;

/**
 * A parent job as every external surface shows it (REST, WebSocket, SSE, NDJSON). Field names are the public
 * contract of ARCHITECTURE.md; it mirrors {@link ParentProgress} today but is its own type so the event can evolve
 * without changing the API.
 *
 * <p>{@code queued}: pending children the scheduler holds back (flow control); {@code etaReason}: why
 * {@code etaSeconds} is null while the job runs; {@code stopping}: a cancel or {@code stop_all} was accepted and
 * the running children are ending.
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
        long version,
        String jobType,
        Activity activity,
        long queued,
        String etaReason,
        boolean stopping) {

    /** The latest fine-grained progress of a generic job (see docs/reporter.md); null for crawls. */
    public record Activity(String childId, long current, long total, Double percentage, String message,
                           String detail) {
        static Activity of(ProgressDetail d) {
            return d == null ? null
                    : new Activity(d.childId(), d.current(), d.total(), d.percentage(), d.message(), d.detail());
        }
    }

    public static JobSnapshot of(ParentProgress p) {
        return new JobSnapshot(p.id(), p.name(), p.status(), p.pending(), p.running(), p.completed(), p.failed(),
                p.cancelled(), p.total(), p.documentCount(), p.bytes(), p.progress(), p.etaSeconds(),
                p.progressText() != null ? p.progressText()
                        : ProgressText.format(p.pending(), p.running(), p.completed(), p.failed()),
                p.createdAt(), p.startedAt(), p.updatedAt(), p.finishedAt(), p.warning(), p.version(),
                p.jobType() == null ? JobTypes.CRAWL : p.jobType(), Activity.of(p.activity()), p.queued(),
                p.etaReason(), p.stopping());
    }

    /** What a just-submitted job looks like before the aggregator's first snapshot: version 0, nothing counted. */
    public static JobSnapshot submitted(String id, String name, Instant createdAt) {
        return new JobSnapshot(id, name, JobStatus.PENDING, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, null,
                ProgressText.format(0, 0, 0, 0), createdAt, null, createdAt, null, null, 0, JobTypes.CRAWL, null, 0,
                "warming_up", false);
    }

    public boolean terminal() {
        return status != null && status.isTerminal();
    }
}

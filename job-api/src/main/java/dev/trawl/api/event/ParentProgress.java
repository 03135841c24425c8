package dev.trawl.api.event;

import java.time.Instant;

/**
 * The exact aggregate of one parent job. Topic {@code trawl.parent-progress} (compacted), keyed by parent id.
 * {@code version} strictly increases with every snapshot of a parent.
 *
 * @param progress    finished children / total, 0..1
 * @param etaSeconds  estimated seconds to completion, null while unknown
 * @param warning     set when the parent ended under {@code mark_warning} past its tolerance
 * @param jobType     {@code crawl}, or the type a {@link dev.trawl.api.report.ProgressReporter} job declared
 * @param activity    the latest fine-grained progress a reporter sent (generic jobs), null otherwise
 * @param queued      pending children the scheduler holds back (flow control): known, not yet handed to a worker;
 *                    always part of {@code pending}
 * @param etaReason   why {@code etaSeconds} is null while the job runs ({@code "warming_up"},
 *                    {@code "discovery_outpaces_completion"}, ...); null when there is an estimate
 * @param stopping    a cancel or {@code stop_all} was accepted: no further child starts, running ones end
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
        long version,
        String jobType,
        ProgressDetail activity,
        long queued,
        String etaReason,
        boolean stopping) {

    /** A snapshot without the scheduler's fields (no queued children, no ETA reason, not stopping). */
    public ParentProgress(String id, String name, JobStatus status, long pending, long running, long completed,
                          long failed, long cancelled, long total, long documentCount, long bytes, double progress,
                          Long etaSeconds, String progressText, Instant createdAt, Instant startedAt,
                          Instant updatedAt, Instant finishedAt, String warning, long version, String jobType,
                          ProgressDetail activity) {
        this(id, name, status, pending, running, completed, failed, cancelled, total, documentCount, bytes, progress,
                etaSeconds, progressText, createdAt, startedAt, updatedAt, finishedAt, warning, version, jobType,
                activity, 0, null, false);
    }

    /** A crawl job's snapshot (no job type beyond {@code crawl}, no fine-grained activity). */
    public ParentProgress(String id, String name, JobStatus status, long pending, long running, long completed,
                          long failed, long cancelled, long total, long documentCount, long bytes, double progress,
                          Long etaSeconds, String progressText, Instant createdAt, Instant startedAt,
                          Instant updatedAt, Instant finishedAt, String warning, long version) {
        this(id, name, status, pending, running, completed, failed, cancelled, total, documentCount, bytes, progress,
                etaSeconds, progressText, createdAt, startedAt, updatedAt, finishedAt, warning, version,
                JobTypes.CRAWL, null);
    }
}

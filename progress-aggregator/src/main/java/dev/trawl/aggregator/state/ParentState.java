package dev.trawl.aggregator.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobTypes;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.progress.ProgressText;
import java.time.Instant;

/**
 * The aggregate of one parent job, as stored in {@code trawl-parents}. Mutable: the processor loads it, applies
 * one event and stores it back; it never escapes the processor.
 *
 * <p>Why over 300 lines: its fields are the stored form of the aggregate (the {@code trawl-parents} changelog), and
 * most of its methods are one-line counters and accessors over them; splitting it would change that stored form
 * (a migration of every running job's state) to move accessors around.
 */
@JsonIgnoreProperties(ignoreUnknown = true) // state written by an earlier version (its "throughput", for one)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ParentState {

    String id;
    String name;
    /** The crawl's spec; null for a generic (reported) job. */
    CrawlSpec spec;
    String jobType = JobTypes.CRAWL;
    /** No more children will be declared (a crawl is sealed from the start: its links arrive before its ends). */
    boolean sealed = true;
    /** Why a generic job failed, as its reporter said. */
    String failure;
    ProgressDetail activity;
    JobStatus status = JobStatus.PENDING;
    long pending;
    long running;
    long completed;
    long failed;
    long cancelled;
    long total;
    /** Failures classed as errors: what error tolerance counts. */
    long errorFailures;
    /** Discovered in-scope URLs not scheduled because {@code max_pages} was reached. */
    long droppedByMaxPages;
    long documentCount;
    long bytes;
    boolean cancelRequested;
    /** {@code stop_all} tripped: nothing more is scheduled and the parent ends failed. */
    boolean stopping;
    String warning;
    Instant createdAt;
    Instant startedAt;
    Instant updatedAt;
    Instant finishedAt;
    long version;
    /** The per-child state was removed after the retention; the aggregate stays. */
    boolean childrenRemoved;
    /** Rates and discovery yield for the ETA. */
    EtaEstimator eta = new EtaEstimator();
    /** Pending children the frontier holds back (flow control): known, not handed to a worker yet. */
    long queued;
    /** Children handed to a worker and not finished: what flow control bounds. */
    long inFlight;
    /** Of those, the ones of hosts whose delay is not known to be zero (the frontier counts them per host). */
    long trackedInFlight;
    /** Sequence number of the next queued child: the frontier's discovery order. */
    long nextQueueSeq;

    /**
     * Jackson's creator. Without this mark, Jackson 3 takes the public crawl constructor as the creator, which
     * fails on a reported job's state (no spec): such a state could not be read back from the store.
     */
    @JsonCreator
    ParentState() {
        // fields are set by Jackson
    }

    public ParentState(String id, CrawlSpec spec, Instant createdAt) {
        this.id = id;
        this.spec = spec;
        this.name = spec.name();
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    /** A generic job reported through the job-api reporter: no spec, open for children until sealed. */
    public static ParentState generic(String id, String jobType, String name, Instant createdAt) {
        ParentState state = new ParentState();
        state.id = id;
        state.jobType = jobType;
        state.name = name;
        state.sealed = false;
        state.createdAt = createdAt;
        state.updatedAt = createdAt;
        return state;
    }

    public String id() {
        return id;
    }

    public String jobType() {
        return jobType;
    }

    public boolean isCrawl() {
        return spec != null;
    }

    public ErrorTolerance tolerance() {
        return spec == null ? ErrorTolerance.UNLIMITED : spec.errorTolerance();
    }

    public boolean isSealed() {
        return sealed;
    }

    public String failure() {
        return failure;
    }

    /** No more children; with a {@code why}, the job fails once its running children end. */
    public void seal(String why) {
        sealed = true;
        if (why != null) {
            failure = why;
            warning = why;
        }
    }

    public void reportActivity(ProgressDetail detail, Instant at) {
        activity = detail;
        if (status == JobStatus.PENDING) {
            status = JobStatus.RUNNING;
            startedAt = at;
        }
    }

    public CrawlSpec spec() {
        return spec;
    }

    public JobStatus status() {
        return status;
    }

    public long total() {
        return total;
    }

    public long errorFailures() {
        return errorFailures;
    }

    public boolean acceptsNewChildren() {
        return !status.isTerminal() && !cancelRequested && !stopping && failure == null;
    }

    public boolean hasRoomForChildren() {
        return spec == null || total < spec.maxPages();
    }

    public void childScheduled(Instant at) {
        total++;
        pending++;
        eta.scheduled(at.toEpochMilli());
    }

    public void droppedByMaxPages() {
        droppedByMaxPages++;
    }

    /**
     * Moves one child's count from {@code from} to {@code to}. A cancelled child is no work done: it does not feed
     * the ETA's completion rate (a cancel moves a crawl's whole queue at once, and the estimator's fit per child would
     * make that the slowest event a crawl has).
     */
    public void childMoved(ChildStatus from, ChildStatus to, Instant at) {
        adjust(from, -1);
        adjust(to, +1);
        if (to.isTerminal() && !from.isTerminal() && to != ChildStatus.CANCELLED) {
            eta.finished(at.toEpochMilli());
        }
        if (to == ChildStatus.RUNNING && status == JobStatus.PENDING) {
            status = JobStatus.RUNNING;
            startedAt = at;
        }
    }

    public void documentSaved(long documentBytes) {
        documentCount++;
        bytes += documentBytes;
    }

    public void errorFailure() {
        errorFailures++;
    }

    public void requestCancel() {
        cancelRequested = true;
    }

    public void stopAll(String why) {
        stopping = true;
        warning = why;
    }

    public void warn(String why) {
        warning = why;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public boolean childrenRemoved() {
        return childrenRemoved;
    }

    public void childrenRemoved(boolean removed) {
        childrenRemoved = removed;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    public boolean isStopping() {
        return stopping;
    }

    public void touch(Instant at) {
        if (updatedAt == null || at.isAfter(updatedAt)) {
            updatedAt = at;
        }
    }

    public long queued() {
        return queued;
    }

    public long inFlight() {
        return inFlight;
    }

    /** Children handed to the workers so far (the known ones not queued): the service the parent has had. */
    public long handedOut() {
        return total - queued;
    }

    public long trackedInFlight() {
        return trackedInFlight;
    }

    public long nextQueueSeq() {
        return nextQueueSeq++;
    }

    /** A scheduled child was queued by the frontier. */
    public void queuedOne() {
        queued++;
    }

    /** A queued child went to a worker. */
    public void dispatchedOne() {
        queued--;
        inFlight++;
    }

    public void trackedOne(int delta) {
        trackedInFlight = Math.max(0, trackedInFlight + delta);
    }

    /** A child in flight ended. */
    public void finishedInFlight() {
        if (inFlight > 0) {
            inFlight--;
        }
    }

    /** The frontier dropped the queue: its children were cancelled (or none was left). */
    public void queueCleared() {
        queued = 0;
    }

    /** No further child starts: a cancel or {@code stop_all} was accepted. */
    public boolean isWindingDown() {
        return cancelRequested || stopping || failure != null;
    }

    public boolean hasOutstandingChildren() {
        return pending > 0 || running > 0;
    }

    /** Ends the parent with {@code terminal} unless it already ended. */
    public void finish(JobStatus terminal, Instant at) {
        if (status.isTerminal()) {
            return;
        }
        status = terminal;
        finishedAt = at;
        if (startedAt == null) {
            startedAt = at;
        }
        touch(at);
    }

    private void adjust(ChildStatus s, int delta) {
        switch (s) {
            case PENDING -> pending += delta;
            case RUNNING -> running += delta;
            case COMPLETED -> completed += delta;
            case FAILED -> failed += delta;
            case CANCELLED -> cancelled += delta;
        }
    }

    /** The next snapshot: bumps the version. */
    public ParentProgress nextSnapshot() {
        version++;
        long finished = completed + failed + cancelled;
        double progress = total == 0 ? (status.isTerminal() ? 1.0 : 0.0) : (double) finished / total;
        // children still to come: max_pages' room for a crawl, none for a sealed generic job, unknown while unsealed
        long headroom = spec != null ? Math.max(0, spec.maxPages() - total) : sealed ? 0 : Long.MAX_VALUE;
        EtaEstimator.Estimate estimate = status.isTerminal() ? new EtaEstimator.Estimate(0L, null)
                : eta.estimate(updatedAt.toEpochMilli(), total, finished, headroom);
        return new ParentProgress(id, name, status, pending, running, completed, failed, cancelled, total,
                documentCount, bytes, progress, estimate.seconds(), ProgressText.format(pending, running, completed,
                failed),
                createdAt, startedAt, updatedAt, finishedAt, warning, version, jobType, activity, queued,
                estimate.reason(), isWindingDown());
    }
}

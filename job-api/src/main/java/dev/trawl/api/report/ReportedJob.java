package dev.trawl.api.report;

import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.JobSealed;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.event.ProgressReported;
import dev.trawl.api.id.Ids;

/** A job being reported: declare its children, report fine-grained progress, then seal or fail it. */
public final class ReportedJob {

    private final ProgressReporter reporter;
    private final String id;

    ReportedJob(ProgressReporter reporter, String id) {
        this.reporter = reporter;
        this.id = id;
    }

    /** The job's id, as in {@code GET /api/jobs/{id}}. */
    public String id() {
        return id;
    }

    /**
     * Declares a child (pending until it runs). {@code key} identifies it within the job, so declaring the same
     * key again names the same child and counts it once.
     */
    public ReportedChild child(String key, String name) {
        String childId = Ids.childIdOfKey(id, key);
        reporter.send(new ChildAdded(Ids.newEventId(), id, childId, name, reporter.now()));
        return new ReportedChild(reporter, id, childId, name);
    }

    /** Fine-grained progress of the job as a whole: {@code current} of {@code total} (0 = unknown). */
    public void progress(long current, long total, String message) {
        progress(current, total, message, null);
    }

    public void progress(long current, long total, String message, String detail) {
        reporter.send(new ProgressReported(Ids.newEventId(), id, reporter.now(),
                ProgressDetail.of(null, current, total, message, detail)));
    }

    /** No more children will be declared: the job ends when those it has finish (at once if it has none). */
    public void seal() {
        reporter.send(new JobSealed(Ids.newEventId(), id, reporter.now(), null));
    }

    /** Ends the job as failed with {@code reason} once its running children finish; no more children. */
    public void fail(String reason) {
        reporter.send(new JobSealed(Ids.newEventId(), id, reporter.now(),
                reason == null || reason.isBlank() ? "failed" : reason));
    }
}

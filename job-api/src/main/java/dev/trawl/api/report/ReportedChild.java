package dev.trawl.api.report;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.event.ProgressReported;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;

/**
 * One child of a reported job. Its states move forward only ({@code pending → running → completed | failed});
 * {@link #retry()} runs it again under a new attempt number.
 */
public final class ReportedChild {

    private final ProgressReporter reporter;
    private final String parentId;
    private final String id;
    private final String name;
    private int attempt = 1;

    ReportedChild(ProgressReporter reporter, String parentId, String id, String name) {
        this.reporter = reporter;
        this.parentId = parentId;
        this.id = id;
        this.name = name;
    }

    public String id() {
        return id;
    }

    public void running() {
        status(ChildStatus.RUNNING, null, null);
    }

    /** A new attempt after a failure the job itself recovers from: running again, counted once. */
    public void retry() {
        attempt++;
        running();
    }

    public void progress(long current, long total, String message) {
        reporter.send(new ProgressReported(Ids.newEventId(), parentId, reporter.now(),
                ProgressDetail.of(id, current, total, message, null)));
    }

    public void completed() {
        status(ChildStatus.COMPLETED, null, null);
    }

    /** Failed with an error (counted by the job's error tolerance). */
    public void failed(String reason) {
        failed(reason, ReasonClass.ERROR);
    }

    public void failed(String reason, ReasonClass reasonClass) {
        status(ChildStatus.FAILED, reason == null || reason.isBlank() ? "failed" : reason, reasonClass);
    }

    private void status(ChildStatus status, String reason, ReasonClass reasonClass) {
        reporter.send(new ChildStatusChanged(Ids.eventId(id, String.valueOf(attempt), status.name()), parentId, id,
                name, 0, status, attempt, reporter.now(), reason, reasonClass, null, null, 0));
    }
}

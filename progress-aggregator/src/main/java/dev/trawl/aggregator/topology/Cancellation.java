package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.frontier.CrawlFrontier;
import dev.trawl.aggregator.lifecycle.ChildTransitions;
import dev.trawl.aggregator.state.ChildState;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.api.event.ChildStatus;
import java.time.Instant;

/**
 * Cancels what has not started when a parent stops (a cancel, {@code stop_all}, a reported job that failed): a
 * generic job's pending children, a crawl's queued ones. A crawl's children already handed to a worker stay pending
 * until the worker reports them: it skips those it has not started once it sees the parent stopping (reported
 * {@code cancelled}), and a page it already fetched ends as it ended, its document counted, so
 * {@code document_count} stays the number of documents saved for the job.
 */
final class Cancellation {

    private final Children children;
    private final CrawlFrontier frontier;

    Cancellation(Children children, CrawlFrontier frontier) {
        this.children = children;
        this.frontier = frontier;
    }

    /** Cancels the children of {@code parent} that have not started, at {@code at}, and counts them. */
    void cancelNotStarted(ParentState parent, Instant at) {
        if (!parent.isCrawl()) {
            children.pendingOf(parent.id()).forEach(child -> cancel(parent, child, at));
            return;
        }
        // the queue holds exactly the children not handed out; a scan of all children would visit every one
        for (String childId : frontier.queuedChildIds(parent)) {
            ChildState child = children.get(parent.id(), childId);
            if (child != null && child.status() == ChildStatus.PENDING) {
                cancel(parent, child, at);
            }
        }
        frontier.forget(parent);
    }

    private void cancel(ParentState parent, ChildState child, Instant at) {
        children.put(parent.id(), ChildTransitions.cancelled(child, at));
        parent.childMoved(ChildStatus.PENDING, ChildStatus.CANCELLED, at);
    }
}

package dev.trawl.aggregator.validation;

import dev.trawl.aggregator.frontier.CrawlScope;
import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ProgressReported;

/**
 * What makes an incoming event impossible to apply, checked before anything changes: the processor sends such an
 * event to the dead-letter topic with the reason returned here. Each check returns that reason, or null if the
 * event can be applied. (That the parent or child is known is the processor's to check: it needs the stores.)
 */
public final class EventValidation {

    private EventValidation() {
    }

    /** The event of a {@code trawl.job-events} record under {@code key}: complete, and keyed by its parent id. */
    public static String invalidRecord(String key, JobEvent event) {
        if (event == null || event.parentId() == null || event.timestamp() == null) {
            return "event without parent id or timestamp";
        }
        if (!event.parentId().equals(key)) {
            return "record key " + key + " is not the event's parent id";
        }
        return invalidEvent(event);
    }

    /** The fields each event type needs. */
    static String invalidEvent(JobEvent event) {
        if (event instanceof ChildStatusChanged change) {
            if (change.childId() == null || change.status() == null) {
                return "invalid child_status_changed: child_id and status are required";
            }
            if (change.attempt() < 0) {
                return "invalid child_status_changed: attempt must be >= 0";
            }
        } else if (event instanceof LinksDiscovered links) {
            if (links.childId() == null || links.depth() < 0) {
                return "invalid links_discovered: child_id and a depth >= 0 are required";
            }
        } else if (event instanceof JobStarted started && (started.jobType() == null || started.jobType().isBlank())) {
            return "invalid job_started: job_type is required";
        } else if (event instanceof ChildAdded added && added.childId() == null) {
            return "invalid child_added: child_id is required";
        } else if (event instanceof ProgressReported reported && reported.detail() == null) {
            return "invalid progress_reported: detail is required";
        } else if (event instanceof HostDelayObserved delay
                && (delay.host() == null || delay.host().isBlank() || delay.delayMs() < 0)) {
            return "invalid host_delay_observed: a host and a delay_ms >= 0 are required";
        }
        return null;
    }

    /**
     * What is wrong with a submitted crawl's spec. A submission is never dead-lettered: the job exists from then
     * on, and it ends {@code failed} with this reason as its warning.
     */
    public static String invalidSpec(CrawlSpec spec) {
        if (spec == null) {
            return "invalid job: no spec";
        }
        if (spec.seeds().isEmpty()) {
            return "invalid job: seeds is empty";
        }
        if (spec.maxPages() < 1) {
            return "invalid job: max_pages must be at least 1";
        }
        if (spec.maxDepth() < 0) {
            return "invalid job: max_depth must be at least 0";
        }
        try {
            CrawlScope.of(spec);
        } catch (IllegalArgumentException e) {
            return "invalid job: " + e.getMessage();
        }
        return null;
    }
}

package dev.trawl.api.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * One entry of a parent job's event log, topic {@code trawl.job-events}, keyed by the parent id. Everything
 * that changes a parent — its submission, cancellation, every child status change and every batch of discovered
 * links — is one of these, so one stream task sees a parent's whole history in order. Generic jobs (any type,
 * reported through {@link dev.trawl.api.report.ProgressReporter}) use {@link JobStarted}, {@link ChildAdded},
 * {@link ChildStatusChanged}, {@link ProgressReported} and {@link JobSealed}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JobSubmitted.class, name = "job_submitted"),
        @JsonSubTypes.Type(value = CancelRequested.class, name = "cancel_requested"),
        @JsonSubTypes.Type(value = ChildStatusChanged.class, name = "child_status_changed"),
        @JsonSubTypes.Type(value = LinksDiscovered.class, name = "links_discovered"),
        @JsonSubTypes.Type(value = JobStarted.class, name = "job_started"),
        @JsonSubTypes.Type(value = ChildAdded.class, name = "child_added"),
        @JsonSubTypes.Type(value = ProgressReported.class, name = "progress_reported"),
        @JsonSubTypes.Type(value = JobSealed.class, name = "job_sealed"),
        @JsonSubTypes.Type(value = HostDelayObserved.class, name = "host_delay_observed")
})
public sealed interface JobEvent permits JobSubmitted, CancelRequested, ChildStatusChanged, LinksDiscovered,
        JobStarted, ChildAdded, ProgressReported, JobSealed, HostDelayObserved {

    /** Unique per event; a redelivered event keeps its id. */
    String eventId();

    String parentId();

    /** When the producer created the event. */
    Instant timestamp();
}

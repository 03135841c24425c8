package dev.trawl.gateway.api;

/** Answer to {@code POST /api/jobs/{id}/cancel}: the request is recorded; snapshots will show the outcome. */
public record CancelAccepted(String jobId, String eventId) {
}

package dev.trawl.api.event;

import java.time.Instant;

/** A user asked to cancel a parent and its whole tree. */
public record CancelRequested(String eventId, String parentId, Instant timestamp, String reason) implements JobEvent {
}

package dev.trawl.api.event;

import java.time.Instant;

/** A generic job declared a child; it counts as pending until it reports running. */
public record ChildAdded(String eventId, String parentId, String childId, String name, Instant timestamp)
        implements JobEvent {
}

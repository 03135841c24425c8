package dev.trawl.api.event;

import java.time.Instant;

/**
 * A generic job will declare no more children: it ends when the ones it has finish. With a {@code failure}, it
 * ends {@code failed} with that reason (as its warning); a job without children ends at once.
 */
public record JobSealed(String eventId, String parentId, Instant timestamp, String failure) implements JobEvent {
}

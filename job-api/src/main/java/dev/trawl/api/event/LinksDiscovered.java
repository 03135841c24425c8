package dev.trawl.api.event;

import java.time.Instant;
import java.util.List;

/**
 * Absolute, normalised http(s) links found on a child's page. The worker writes it in the same transaction as
 * the child's terminal status and before it, so the aggregator has scheduled them when it sees the child end.
 *
 * @param depth depth of the child that found the links; the links are {@code depth + 1}
 */
public record LinksDiscovered(String eventId, String parentId, String childId, int depth, Instant timestamp,
                              List<String> urls) implements JobEvent {

    public LinksDiscovered {
        urls = urls == null ? List.of() : List.copyOf(urls);
    }
}

package dev.trawl.api.event;

import java.time.Instant;

/** A user submitted a crawl: the first event of a parent's log. */
public record JobSubmitted(String eventId, String parentId, Instant timestamp, CrawlSpec spec) implements JobEvent {
}

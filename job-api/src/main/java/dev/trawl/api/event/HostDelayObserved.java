package dev.trawl.api.event;

import java.time.Instant;

/**
 * A worker tells the scheduler how far apart it spaces requests to {@code host} for this parent: the larger of its
 * configured politeness delay and the host's robots.txt {@code Crawl-delay}. Sent, in the transaction of the task's
 * outcome and before it, the first time a worker crawls a page of the host for the parent and whenever the delay it
 * applies changes (a robots.txt reloaded after its TTL). The scheduler serves a host with a delay from one queue
 * (one task key, so one worker at a time) and spreads a host over several keys only once a worker said it has none.
 *
 * @param host    the host as {@link dev.trawl.api.id.UrlNormalizer#host} gives it for the task's URL
 * @param delayMs the gap the worker keeps between two requests to the host, 0 for none
 */
public record HostDelayObserved(String eventId, String parentId, String host, long delayMs, Instant timestamp)
        implements JobEvent {
}

package dev.trawl.api.event;

import java.time.Instant;

/**
 * Work for a crawler worker: fetch {@code url} for child {@code childId} of {@code parentId}. Topic
 * {@code trawl.crawl-tasks}, keyed by host shard (see {@link dev.trawl.api.id.Ids#hostShardKey}).
 *
 * @param attempt    1 for the first attempt; a rescheduled child gets a higher one
 * @param hostShards  over how many task keys the scheduler spreads this host (1 for a host with a delay, or whose
 *                    delay no worker has reported yet)
 * @param hostDelayMs the politeness delay a worker reported for the host ({@link HostDelayObserved}), -1 while none
 *                    did: a worker that takes the task's partition over from another waits this long before its first
 *                    request to the host, since it cannot know when the other worker's last request started
 */
public record CrawlTask(
        String parentId,
        String childId,
        String url,
        int depth,
        int attempt,
        int hostShards,
        Instant scheduledAt,
        long hostDelayMs) {

    /** A task of a host whose delay is not known. */
    public CrawlTask(String parentId, String childId, String url, int depth, int attempt, int hostShards,
                     Instant scheduledAt) {
        this(parentId, childId, url, depth, attempt, hostShards, scheduledAt, -1);
    }
}

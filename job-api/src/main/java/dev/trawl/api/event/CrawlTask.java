package dev.trawl.api.event;

import java.time.Instant;

/**
 * Work for a crawler worker: fetch {@code url} for child {@code childId} of {@code parentId}. Topic
 * {@code trawl.crawl-tasks}, keyed by host shard (see {@link dev.trawl.api.id.Ids#hostShardKey}).
 *
 * @param attempt    1 for the first attempt; a rescheduled child gets a higher one
 * @param hostShards how many shards share this host's politeness budget
 */
public record CrawlTask(
        String parentId,
        String childId,
        String url,
        int depth,
        int attempt,
        int hostShards,
        Instant scheduledAt) {
}

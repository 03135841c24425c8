package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import java.util.Collection;

/** Does one task's work outside any transaction (in production: {@code PageCrawler}). */
@FunctionalInterface
public interface TaskProcessor {

    TaskOutcome process(CrawlTask task, TaskContext context) throws InterruptedException;

    /**
     * Told, on the loop thread during a poll, which partitions of {@code trawl.crawl-tasks} this instance now owns
     * and did not own just before (another instance may have served their hosts until now). No task is in flight
     * then.
     */
    default void partitionsAcquired(Collection<Integer> partitions) {
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import java.time.Duration;
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

    /**
     * The longest politeness delay the previous owner of an acquired partition was keeping for a host of it, as it
     * committed it with the partition's offsets; told before the first task of the partition runs here.
     */
    default void previousOwnerDelay(int partition, Duration delay) {
    }

    /** The longest politeness delay this instance keeps for a host of {@code partition}, for its next owner. */
    default Duration delayKept(int partition) {
        return Duration.ZERO;
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.worker.TaskOutcome;
import java.util.function.BooleanSupplier;

/** Does one task's work between the two transactions of a batch (in production: {@code PageCrawler::crawl}). */
@FunctionalInterface
public interface TaskProcessor {

    TaskOutcome process(CrawlTask task, String recordKey, long latestStartNanos, BooleanSupplier stopping)
            throws InterruptedException;
}

package dev.trawl.worker.delivery;

/**
 * Extension point for skipping tasks whose parent was cancelled (to be backed by a read model of
 * {@code CancelRequested} events). A skipped task is consumed without a fetch and without events: the
 * aggregator already moved its children to {@code cancelled}.
 */
@FunctionalInterface
public interface CancelledParents {

    /** Knows of no cancellations: every task is crawled. */
    CancelledParents NONE = parentId -> false;

    boolean isCancelled(String parentId);
}

package dev.trawl.worker.delivery;

/**
 * Which parents may start no further task: their cancel or {@code stop_all} was accepted (the parent is
 * <em>stopping</em>), or they ended. A task of such a parent is not fetched. While the parent is only stopping its
 * children still count, so the task is reported {@code cancelled} (with its offset, in the batch's transaction);
 * once the parent ended nothing waits for the child any more and the task is consumed without events.
 */
@FunctionalInterface
public interface CancelledParents {

    /** Knows of no cancellations: every task is crawled. */
    CancelledParents NONE = parentId -> false;

    /** Whether no task of {@code parentId} may start: it is stopping, or it ended. */
    boolean isCancelled(String parentId);

    /** Whether {@code parentId} ended: a skipped task of it needs no report. */
    default boolean hasEnded(String parentId) {
        return false;
    }
}

package dev.trawl.worker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the delivery loop tells one task's crawl, and what the crawl tells it back besides the outcome. Made by the
 * loop for each task it starts; the crawl runs on a fetch thread, the loop reads {@link #hostDelay()} once the
 * task's outcome is in.
 */
public final class TaskContext {

    /** No partition: the task's politeness key was never on another worker (a task crawled on its own). */
    public static final int NO_PARTITION = -1;

    /** The gap this worker keeps between requests to {@code host}, as the crawl applied it. */
    public record HostDelay(String host, long delayMs) {
    }

    private final String politenessKey;
    private final int partition;
    private final long latestStartNanos;
    private final BooleanSupplier stopping;
    private final BooleanSupplier parentStopped;
    private volatile HostDelay hostDelay;

    /**
     * @param politenessKey     the task's record key: the host, or {@code host#n} for a host spread over shards
     * @param partition         the task's partition of {@code trawl.crawl-tasks}, or {@link #NO_PARTITION}
     * @param latestStartNanos  the first request must start by then ({@link System#nanoTime()} scale), else the
     *                          task is deferred
     * @param stopping          true once the batch is given up (worker stopping): tasks not started are deferred
     * @param parentStopped     true once the task's parent was cancelled or stopped: the task must not start
     */
    public TaskContext(String politenessKey, int partition, long latestStartNanos, BooleanSupplier stopping,
                       BooleanSupplier parentStopped) {
        this.politenessKey = politenessKey;
        this.partition = partition;
        this.latestStartNanos = latestStartNanos;
        this.stopping = stopping;
        this.parentStopped = parentStopped;
    }

    /** A task crawled on its own: no partition, never stopping, its parent never stopped. */
    public static TaskContext standalone(String politenessKey, long latestStartNanos) {
        return new TaskContext(politenessKey, NO_PARTITION, latestStartNanos, () -> false, () -> false);
    }

    public String politenessKey() {
        return politenessKey;
    }

    public int partition() {
        return partition;
    }

    public long latestStartNanos() {
        return latestStartNanos;
    }

    public boolean stopping() {
        return stopping.getAsBoolean();
    }

    public boolean parentStopped() {
        return parentStopped.getAsBoolean();
    }

    /** Called once robots.txt was read for the task's host: the delay the crawl keeps to it. */
    public void observeHostDelay(String host, Duration delay) {
        hostDelay = new HostDelay(host, delay.toMillis());
    }

    /** The delay observed while crawling, or null when robots.txt was not read (not reached, or unavailable). */
    public HostDelay hostDelay() {
        return hostDelay;
    }
}

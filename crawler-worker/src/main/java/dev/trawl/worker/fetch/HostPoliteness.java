package dev.trawl.worker.fetch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Spaces requests to one politeness key (a host shard) at least an interval apart, across every concurrent
 * fetch of this worker instance. A caller reserves the next free slot and then waits for it, so slots are
 * handed out in reservation order and no two requests share one.
 */
public final class HostPoliteness {

    private static final int CLEANUP_THRESHOLD = 10_000;

    private final Map<String, Long> nextFreeNanos = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public HostPoliteness() {
        this(System::nanoTime);
    }

    HostPoliteness(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Reserves the next slot for {@code key} if it starts no later than {@code latestStartNanos}.
     *
     * @return the slot's start ({@link System#nanoTime()} scale), or {@code Long.MIN_VALUE} when the next free
     *         slot is too late; nothing is reserved then
     */
    public long reserve(String key, Duration interval, long latestStartNanos) {
        long now = nanoClock.getAsLong();
        if (interval.isZero()) {
            return now;
        }
        long[] start = {Long.MIN_VALUE};
        nextFreeNanos.compute(key, (k, next) -> {
            long slot = next == null || next - now < 0 ? now : next;
            if (slot - latestStartNanos > 0) {
                return next;
            }
            start[0] = slot;
            return slot + interval.toNanos();
        });
        if (nextFreeNanos.size() > CLEANUP_THRESHOLD) {
            nextFreeNanos.values().removeIf(next -> next - now < 0);
        }
        return start[0];
    }

    /** Reserves the next slot for {@code key} whenever it is, and waits for it. */
    public void await(String key, Duration interval) throws InterruptedException {
        waitUntil(reserve(key, interval, nanoClock.getAsLong() + Duration.ofDays(1).toNanos()));
    }

    /** Sleeps until {@code startNanos}. */
    public void waitUntil(long startNanos) throws InterruptedException {
        long wait = startNanos - nanoClock.getAsLong();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}

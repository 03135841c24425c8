package dev.trawl.worker.fetch;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Spaces requests to one politeness key (a host, or a shard of a host without delay) at least an interval apart,
 * across every concurrent fetch of this worker instance. A caller reserves the next free slot and then waits for
 * it, so slots are handed out in reservation order and no two requests share one. Right before its request goes
 * out, a caller {@linkplain #begin begins} it, and once its response is in it {@linkplain #requestEnded ends} it:
 * each request also waits one interval after the previous one really started, or, once that one's response came,
 * after that. The site notes a request somewhere between the two, so neither a thread that woke late for its slot
 * nor a server that picked the previous request up late can make a gap the site sees shorter than the interval.
 *
 * <p>Each key remembers when its last reserved request starts and the interval it was reserved with; the next
 * slot is at least the larger of that interval and the caller's after it. So a request reserved before the host's
 * robots.txt {@code Crawl-delay} was known (the robots.txt request itself, spaced by the configured delay) still
 * keeps the Crawl-delay to the page request that follows it.
 *
 * <p>Requests made by <em>another</em> worker are not in this memory. A host's tasks share one key, so one
 * partition of {@code trawl.crawl-tasks}, which one worker consumes at a time; when a partition moves here
 * ({@link #partitionsAcquired}), its previous owner's last request started before it gave the partition up (a
 * worker has nothing in flight while it polls), so no request of this worker to a key of that partition starts
 * sooner than one interval after the hand-over. The interval of a host this worker has not read robots.txt for is
 * not known yet when its robots.txt is requested; so each worker also says, with its partition's committed
 * offsets, the longest delay it keeps for a host of the partition ({@link #delayKept}), and a next owner waits at
 * least that long after the hand-over ({@link #previousOwnerDelay}).
 */
public final class HostPoliteness {

    /** For a key whose tasks did not come through a partition (no previous owner to wait for). */
    public static final int NO_PARTITION = -1;
    private static final int CLEANUP_THRESHOLD = 10_000;

    private record Last(long startNanos, long intervalNanos) {

        boolean over(long now) {
            return startNanos + intervalNanos - now < 0;
        }
    }

    /** The latest slot reserved per key. */
    private final Map<String, Last> lastRequest = new ConcurrentHashMap<>();
    /** The latest request begun per key, when it really started. */
    private final Map<String, Last> lastBegun = new ConcurrentHashMap<>();
    private final Map<Integer, Long> acquiredAtNanos = new ConcurrentHashMap<>();
    /** Per acquired partition: the delay its previous owner was keeping, waited after the hand-over. */
    private final Map<Integer, Long> previousOwnerNanos = new ConcurrentHashMap<>();
    /** Per partition: interval to the latest start of a request begun with it (for {@link #delayKept}). */
    private final Map<Integer, Map<Long, Long>> keptByPartition = new ConcurrentHashMap<>();
    /** How a caller waits; tests pass one that moves their clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    public HostPoliteness() {
        this(System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    HostPoliteness(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    /**
     * The task partitions this instance now owns and did not own until now: requests to their keys wait one
     * interval from now.
     */
    public void partitionsAcquired(Collection<Integer> partitions) {
        long now = nanoClock.getAsLong();
        for (Integer partition : partitions) {
            acquiredAtNanos.put(partition, now);
            previousOwnerNanos.remove(partition);
        }
    }

    /**
     * The delay the previous owner of an acquired partition was keeping for a host of it: no request to a key of
     * the partition starts sooner than that after the hand-over, and this worker passes it on while it lasts.
     */
    public void previousOwnerDelay(int partition, Duration delay) {
        Long acquired = acquiredAtNanos.get(partition);
        if (acquired == null || delay.isZero() || delay.isNegative()) {
            return;
        }
        previousOwnerNanos.put(partition, delay.toNanos());
        keep(partition, acquired, delay.toNanos());
    }

    /**
     * The longest interval this worker keeps for a key of {@code partition} whose gap has not run out yet (the
     * previous owner's included): what a next owner of the partition must wait after taking it over.
     */
    public Duration delayKept(int partition) {
        Map<Long, Long> kept = keptByPartition.get(partition);
        if (kept == null) {
            return Duration.ZERO;
        }
        long now = nanoClock.getAsLong();
        long longest = 0;
        synchronized (kept) {
            for (Map.Entry<Long, Long> entry : kept.entrySet()) {
                if (entry.getValue() + entry.getKey() - now > 0) {
                    longest = Math.max(longest, entry.getKey());
                }
            }
        }
        return Duration.ofNanos(longest);
    }

    /**
     * Reserves the next slot for {@code key} if it starts no later than {@code latestStartNanos}.
     *
     * @param partition the partition the key's task came from, or {@link #NO_PARTITION}
     * @return the slot's start ({@link System#nanoTime()} scale), or {@code Long.MIN_VALUE} when the next free
     *         slot is too late; nothing is reserved then
     */
    public long reserve(String key, int partition, Duration interval, long latestStartNanos) {
        long now = nanoClock.getAsLong();
        long gap = interval.toNanos();
        Long acquired = partition == NO_PARTITION ? null : acquiredAtNanos.get(partition);
        long handOverGap = acquired == null ? 0 : Math.max(gap, previousOwnerNanos.getOrDefault(partition, 0L));
        long floor = acquired != null && acquired + handOverGap - now > 0 ? acquired + handOverGap : now;
        long[] start = {Long.MIN_VALUE};
        lastRequest.compute(key, (k, last) -> {
            long slot = floor;
            if (last != null) {
                long next = last.startNanos() + Math.max(gap, last.intervalNanos());
                if (next - slot > 0) {
                    slot = next;
                }
            }
            if (slot - latestStartNanos > 0) {
                return last;
            }
            start[0] = slot;
            return new Last(slot, gap);
        });
        if (lastRequest.size() > CLEANUP_THRESHOLD) {
            lastRequest.values().removeIf(last -> last.over(now));
            lastBegun.values().removeIf(last -> last.over(now));
        }
        return start[0];
    }

    /**
     * Marks the start of a request whose slot has come, right before it goes out; first waits, if need be, until
     * one interval after the key's previous request really started (it may have started late).
     */
    public void begin(String key, int partition, Duration interval) throws InterruptedException {
        long gap = interval.toNanos();
        while (true) {
            long now = nanoClock.getAsLong();
            long[] wait = {0};
            lastBegun.compute(key, (k, last) -> {
                if (last != null) {
                    long earliest = last.startNanos() + Math.max(gap, last.intervalNanos());
                    if (earliest - now > 0) {
                        wait[0] = earliest - now;
                        return last;
                    }
                }
                return new Last(now, gap);
            });
            if (wait[0] == 0) {
                if (partition != NO_PARTITION && gap > 0) {
                    keep(partition, now, gap);
                }
                return;
            }
            waitUntil(now + wait[0]);
        }
    }

    /**
     * The response to the latest request begun for {@code key} is in (or the request failed): the server has seen
     * it by now, so the next request waits one interval from now at least.
     */
    public void requestEnded(String key, int partition) {
        long now = nanoClock.getAsLong();
        Last ended = lastBegun.computeIfPresent(key, (k, last) -> now - last.startNanos() > 0
                ? new Last(now, last.intervalNanos()) : last);
        if (ended != null && partition != NO_PARTITION && ended.intervalNanos() > 0) {
            keep(partition, ended.startNanos(), ended.intervalNanos());
        }
    }

    private void keep(int partition, long startNanos, long intervalNanos) {
        Map<Long, Long> kept = keptByPartition.computeIfAbsent(partition, p -> new HashMap<>());
        synchronized (kept) {
            kept.merge(intervalNanos, startNanos, (a, b) -> b - a > 0 ? b : a);
            if (kept.size() > 16) {
                long now = nanoClock.getAsLong();
                kept.entrySet().removeIf(entry -> entry.getValue() + entry.getKey() - now < 0);
            }
        }
    }

    /** Reserves the next slot for {@code key} whenever it is, waits for it and begins the request. */
    public void await(String key, int partition, Duration interval) throws InterruptedException {
        waitUntil(reserve(key, partition, interval, nanoClock.getAsLong() + Duration.ofDays(1).toNanos()));
        begin(key, partition, interval);
    }

    /** Sleeps until {@code startNanos}. */
    public void waitUntil(long startNanos) throws InterruptedException {
        long wait = startNanos - nanoClock.getAsLong();
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }
}

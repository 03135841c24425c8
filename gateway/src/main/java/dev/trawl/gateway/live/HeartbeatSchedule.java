package dev.trawl.gateway.live;

import java.util.random.RandomGenerator;

/**
 * When one connection's next heartbeat is due. The first falls at a random point of the first interval, so
 * connections opened together (a reconnect wave, a restart) are not all pinged in the same sweep; after that one per
 * interval, and never two within half an interval when a sweep was late. Used by one thread at a time (the sweep).
 */
final class HeartbeatSchedule {

    private final long intervalNanos;
    private long nextNanos;

    HeartbeatSchedule(long intervalNanos, long nowNanos, RandomGenerator random) {
        this.intervalNanos = intervalNanos;
        this.nextNanos = nowNanos + random.nextLong(1, intervalNanos + 1);
    }

    /** Whether a heartbeat is due at {@code nowNanos}; if so, the next one is due an interval later. */
    boolean due(long nowNanos) {
        if (nowNanos - nextNanos < 0) {
            return false;
        }
        nextNanos = Math.max(nextNanos + intervalNanos, nowNanos + intervalNanos / 2);
        return true;
    }
}

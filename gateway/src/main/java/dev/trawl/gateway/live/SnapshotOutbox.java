package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one live client (a WebSocket session, an SSE or NDJSON stream) still has to receive: per job only the
 * latest snapshot (latest wins), flushed at most once per interval on a shared scheduler.
 *
 * <p>Two locks keep the read model's consumer thread from ever waiting on a slow client: {@link #offer} takes only
 * the short state lock, while sending (flushes and direct replies) is serialised under the send lock. A version is
 * sent only when it is higher than the one the client already holds, so per client and job the versions it
 * receives strictly increase, and the latest (hence the terminal) snapshot is always the last one sent.
 */
public abstract class SnapshotOutbox {

    private static final Logger log = LoggerFactory.getLogger(SnapshotOutbox.class);
    /** Below every real version: the synthesized pending snapshot is version 0. */
    private static final long NOTHING = -1;

    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    private final Object stateLock = new Object();
    private final Object sendLock = new Object();
    private final Map<String, JobSnapshot> pending = new LinkedHashMap<>();
    private final Map<String, Long> delivered = new HashMap<>();
    private boolean flushScheduled;
    private long lastFlushNanos;
    private volatile boolean closed;

    protected SnapshotOutbox(ScheduledExecutorService scheduler, Duration interval) {
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.lastFlushNanos = System.nanoTime() - intervalNanos;
    }

    /** Whether this client is interested in {@code jobId} right now. */
    protected abstract boolean wants(String jobId);

    /** Sends updates, at most one per job, each newer than what the client held; called under the send lock. */
    protected abstract void deliver(List<JobSnapshot> updates) throws Exception;

    /** Queues {@code snapshot} if the client wants it and holds nothing as new. Never blocks on the client. */
    public final void offer(JobSnapshot snapshot) {
        if (closed || !wants(snapshot.id())) {
            return;
        }
        synchronized (stateLock) {
            if (snapshot.version() <= delivered.getOrDefault(snapshot.id(), NOTHING)) {
                return;
            }
            JobSnapshot queued = pending.get(snapshot.id());
            if (queued != null && queued.version() >= snapshot.version()) {
                return;
            }
            pending.put(snapshot.id(), snapshot);
            if (flushScheduled) {
                return;
            }
            // the first update after a quiet spell goes out at once; a burst waits for the interval
            long delay = Math.max(0, lastFlushNanos + intervalNanos - System.nanoTime());
            try {
                scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
                flushScheduled = true;
            } catch (RejectedExecutionException e) {
                // the gateway is shutting down
            }
        }
    }

    public final boolean isClosed() {
        return closed;
    }

    /** Stops all sending; queued updates are dropped. */
    public void close() {
        closed = true;
        synchronized (stateLock) {
            pending.clear();
        }
    }

    /** Runs {@code action} with the exclusive right to send (replies that must not interleave with a flush). */
    protected final void sendExclusively(Runnable action) {
        synchronized (sendLock) {
            if (!closed) {
                action.run();
            }
        }
    }

    /** The highest version of {@code jobId} the client holds, -1 for none. */
    protected final long deliveredVersion(String jobId) {
        synchronized (stateLock) {
            return delivered.getOrDefault(jobId, NOTHING);
        }
    }

    /** Records that the client holds {@code version} of {@code jobId} (sent directly, or known to it already). */
    protected final void markDelivered(String jobId, long version) {
        synchronized (stateLock) {
            delivered.merge(jobId, version, Math::max);
        }
    }

    /** Forgets {@code jobId}: nothing queued, and the next subscription starts afresh. */
    protected final void forget(String jobId) {
        synchronized (stateLock) {
            delivered.remove(jobId);
            pending.remove(jobId);
        }
    }

    private void flush() {
        synchronized (sendLock) {
            List<JobSnapshot> batch = new ArrayList<>();
            synchronized (stateLock) {
                flushScheduled = false;
                lastFlushNanos = System.nanoTime();
                for (JobSnapshot snapshot : pending.values()) {
                    // a direct reply may have sent a newer version since this one was queued
                    if (snapshot.version() > delivered.getOrDefault(snapshot.id(), NOTHING) && wants(snapshot.id())) {
                        delivered.put(snapshot.id(), snapshot.version());
                        batch.add(snapshot);
                    }
                }
                pending.clear();
            }
            if (closed || batch.isEmpty()) {
                return;
            }
            try {
                deliver(batch);
            } catch (Exception e) {
                log.debug("live client {} failed, closing it: {}", this, e.toString());
                close();
                onFailure(e);
            }
        }
    }

    /** Called once a delivery failed and the outbox closed: release the client's connection. */
    protected void onFailure(Exception e) {
    }
}

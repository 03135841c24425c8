package dev.trawl.gateway.live;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ReadModel;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE or NDJSON stream of one job: a first snapshot, then coalesced newer ones, ended after the terminal
 * snapshot or the job's removal.
 *
 * <p>Nothing here waits for the client. Writes go to a non-blocking {@link Output}, one at a time; while one is on
 * its way, a newer snapshot replaces the queued one (latest wins), so the gateway holds at most one snapshot for
 * the client besides the write in flight, however slowly it reads. The versions it sends strictly increase, and the
 * terminal snapshot (or the removal) is always the last thing written. A write outstanding longer than the send
 * time limit gets the stream aborted by {@link JobStreamController}'s sweep.
 */
final class StreamClient implements ReadModel.ParentListener {

    /** The non-blocking side of the HTTP response. */
    interface Output {
        /**
         * True when everything written so far has been handed to the socket and another write may start; when
         * false, the output calls {@link StreamClient#pump()} once the client has taken it.
         */
        boolean isReady() throws IOException;

        /** Hands {@code bytes} to the container without waiting for the client. */
        void write(byte[] bytes) throws IOException;

        /** Ends the response normally. */
        void complete();

        /** Drops the connection, discarding whatever the client has not taken. */
        void abort();
    }

    private static final Logger log = LoggerFactory.getLogger(StreamClient.class);
    /** Below every real version: the synthesized pending snapshot is version 0. */
    private static final long NOTHING = -1;

    private final String jobId;
    private final StreamFormat format;
    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    private final LongAdder pushed;
    private volatile Output output;
    private Runnable onClose = () -> { };

    private final Object lock = new Object();
    // guarded by lock
    private long delivered = NOTHING;
    private JobSnapshot pending;
    private boolean pendingIsFirst;
    private byte[] opening;
    private boolean removed;
    private boolean ended;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean flushScheduled;
    private long lastFlushNanos;

    private volatile long writingSinceNanos;
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile boolean closed;

    /** @param pushed counts the snapshots written */
    StreamClient(String jobId, StreamFormat format, ScheduledExecutorService scheduler, Duration interval,
                 LongAdder pushed) {
        this.jobId = jobId;
        this.pushed = pushed;
        this.format = format;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.lastFlushNanos = System.nanoTime() - intervalNanos;
    }

    /** Runs {@code action} once, when the stream closes for whatever reason. */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    /**
     * Queues the current snapshot unless the client already holds it (resuming from {@code lastVersion}); the
     * output starts writing once the container lets it.
     */
    void start(Output output, Optional<JobSnapshot> current, Long lastVersion) {
        synchronized (lock) {
            this.output = output;
            if (lastVersion != null) {
                delivered = lastVersion;
            }
            JobSnapshot snapshot = current.orElse(null);
            if (snapshot != null && snapshot.version() > delivered
                    && (pending == null || pending.version() < snapshot.version())) {
                pending = snapshot;
            }
            if (pending != null && pending.version() > delivered) {
                pendingIsFirst = true;
            } else {
                pending = null;
                opening = format.upToDate();
            }
        }
    }

    @Override
    public void onParentProgress(ParentProgress progress) {
        if (jobId.equals(progress.id())) {
            offer(JobSnapshot.of(progress));
        }
    }

    /** The job was deleted: its removal replaces whatever was queued, and ends the stream. */
    @Override
    public void onParentRemoved(String parentId) {
        if (!jobId.equals(parentId)) {
            return;
        }
        synchronized (lock) {
            if (closed || ended) {
                return;
            }
            removed = true;
            pending = null;
            wakeLocked(0);
        }
    }

    /** Queues {@code snapshot} if it is newer than what the client holds or will get. Never waits. */
    void offer(JobSnapshot snapshot) {
        synchronized (lock) {
            if (closed || ended || removed || snapshot.version() <= delivered
                    || pending != null && pending.version() >= snapshot.version()) {
                return;
            }
            pending = snapshot;
            wakeLocked(Math.max(0, lastFlushNanos + intervalNanos - System.nanoTime()));
        }
    }

    private void wakeLocked(long delayNanos) {
        if (output == null || pumping || writingSinceNanos != 0) {
            return; // not started yet, or the running pump or the output's next callback picks it up
        }
        scheduleLocked(delayNanos);
    }

    /**
     * Writes what is due while the output takes it, at most one thread at a time: called by the flush scheduler
     * and by the output whenever the client has taken the previous write.
     */
    void pump() {
        synchronized (lock) {
            if (pumping) {
                pumpAgain = true;
                return;
            }
            pumping = true;
        }
        try {
            while (!closed) {
                boolean ready = output.isReady();
                byte[] next = null;
                boolean done = false;
                synchronized (lock) {
                    if (ready) {
                        writingSinceNanos = 0;
                        done = ended;
                        next = done ? null : nextLocked();
                    }
                    if (!done && next == null) {
                        if (!pumpAgain) {
                            pumping = false;
                            return;
                        }
                        pumpAgain = false;
                        continue;
                    }
                }
                if (done) {
                    finish();
                    return;
                }
                writingSinceNanos = System.nanoTime();
                lastWriteNanos = writingSinceNanos;
                output.write(next);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("stream {} failed, closing it: {}", this, e.toString());
            abort();
        }
    }

    /** What to write next, or null when nothing is due (a coalesced update may be scheduled for later). */
    private byte[] nextLocked() {
        if (opening != null) {
            byte[] bytes = opening;
            opening = null;
            return bytes;
        }
        if (removed) {
            ended = true;
            return format.removed(jobId);
        }
        if (pending == null) {
            return null;
        }
        long now = System.nanoTime();
        if (!pendingIsFirst && now - (lastFlushNanos + intervalNanos) < 0) {
            scheduleLocked(lastFlushNanos + intervalNanos - now);
            return null;
        }
        JobSnapshot snapshot = pending;
        boolean first = pendingIsFirst;
        pending = null;
        pendingIsFirst = false;
        lastFlushNanos = now;
        delivered = snapshot.version();
        ended = snapshot.terminal();
        pushed.increment();
        return format.snapshot(snapshot, first);
    }

    private void scheduleLocked(long delayNanos) {
        if (flushScheduled || closed) {
            return;
        }
        try {
            scheduler.schedule(this::flush, delayNanos, TimeUnit.NANOSECONDS);
            flushScheduled = true;
        } catch (RejectedExecutionException e) {
            // the gateway is shutting down
        }
    }

    private void flush() {
        synchronized (lock) {
            flushScheduled = false;
        }
        pump();
    }

    /**
     * Queues a heartbeat if nothing was written for {@code intervalNanos} and nothing is queued or on its way: it
     * keeps proxies from closing a quiet stream and finds connections whose client is gone.
     */
    void heartbeatIfQuiet(long now, long intervalNanos) {
        byte[] heartbeat = format.heartbeat();
        if (heartbeat == null || now - lastWriteNanos < intervalNanos) {
            return;
        }
        synchronized (lock) {
            if (closed || ended || removed || pending != null || opening != null || writingSinceNanos != 0) {
                return;
            }
            opening = heartbeat;
            wakeLocked(0);
        }
    }

    /** How long the write now on its way has been outstanding, 0 when none is. */
    long writingForNanos(long now) {
        long since = writingSinceNanos;
        return since == 0 ? 0 : now - since;
    }

    /** Ends the stream normally (after the terminal snapshot, at the stream timeout, on shutdown). */
    void finish() {
        if (close() && output != null) {
            output.complete();
        }
    }

    /** Drops the connection (too slow, or failed). */
    void abort() {
        if (close() && output != null) {
            output.abort();
        }
    }

    /** Stops all sending and drops what is queued; true the first time. */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            pending = null;
            opening = null;
        }
        onClose.run();
        return true;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return format.name().toLowerCase() + ":" + jobId;
    }
}

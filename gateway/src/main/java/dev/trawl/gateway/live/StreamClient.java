package dev.trawl.gateway.live;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ReadModel;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE or NDJSON stream of one job: a first snapshot, then coalesced newer ones, ended after the terminal
 * snapshot or the job's removal.
 *
 * <p>Nothing here waits for the client. A {@link CoalescingOutbox} keyed by the one job decides what goes out and
 * when; writes go to a non-blocking {@link Output}, one at a time; while one is on its way, a newer snapshot
 * replaces the queued one (latest wins), so the gateway holds at most one snapshot for the client besides the write
 * in flight, however slowly it reads. The versions it sends strictly increase, and the terminal snapshot (or the
 * removal) is always the last thing written. A write outstanding longer than the send time limit gets the stream
 * aborted by {@link JobStreamController}'s sweep.
 */
final class StreamClient implements ReadModel.ParentListener, CoalescingOutbox.Connection<Object> {

    /** The non-blocking side of the HTTP response. */
    interface Output {
        /**
         * Hands {@code bytes} to the container without waiting for the client: true when the client has taken all
         * of it and another write may start; false when the output calls {@link StreamClient#writable()} once it has.
         */
        boolean write(byte[] bytes) throws IOException;

        /** Called back by the container: true when everything written so far has reached the socket. */
        boolean drained() throws IOException;

        /** Ends the response normally. */
        void complete();

        /** Drops the connection, discarding whatever the client has not taken. */
        void abort();
    }

    private static final Logger log = LoggerFactory.getLogger(StreamClient.class);
    /** Queued when the job is removed: the stream's last item. */
    private static final Object REMOVED = new Object();
    /** A stream sends a handful of replies at most (its opening, a heartbeat, the removal). */
    private static final int MAX_REPLIES = 4;

    private final String jobId;
    private final StreamFormat format;
    private final CoalescingOutbox<Object> outbox;
    private final Object lock;
    private final AtomicReference<CoalescingOutbox.Completion> writing = new AtomicReference<>();
    private final AtomicBoolean opened = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Output output;
    private Runnable onClose = () -> { };
    // guarded by lock
    private boolean removed;
    // touched by the one thread sending at a time
    private boolean nextIsFirst = true;

    /** @param pushed counts the snapshots written */
    StreamClient(String jobId, StreamFormat format, CoalescingOutbox.Timer timer, Ticker ticker, Duration interval,
                 LongAdder pushed) {
        this.jobId = jobId;
        this.format = format;
        this.outbox = new CoalescingOutbox<>(this, ticker, timer,
                new CoalescingOutbox.Limits(interval, MAX_REPLIES, 0), pushed);
        this.lock = outbox.lock();
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
            if (removed) {
                return;
            }
            if (lastVersion != null) {
                outbox.markDelivered(jobId, lastVersion);
            }
            current.ifPresent(snapshot -> outbox.offer(jobId, snapshot.version(), snapshot));
            if (!outbox.hasSnapshotQueued(jobId)) {
                nextIsFirst = false;
                outbox.reply(format.upToDate());
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
            if (removed) {
                return;
            }
            removed = true;
            outbox.forget(jobId);
            outbox.reply(REMOVED);
        }
        outbox.sendSoon();
    }

    /** Queues {@code snapshot} if it is newer than what the client holds or will get. Never waits. */
    void offer(JobSnapshot snapshot) {
        synchronized (lock) {
            if (!removed) {
                outbox.offer(jobId, snapshot.version(), snapshot);
            }
        }
    }

    /**
     * Called by the output when the container can take a write: the write in flight has reached the client, or (the
     * first time) the response can be written at all.
     */
    void writable() {
        try {
            if (!output.drained()) {
                return; // the output calls again
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
            return;
        }
        CoalescingOutbox.Completion done = writing.getAndSet(null);
        if (done != null) {
            done.sent();
        } else if (opened.compareAndSet(false, true)) {
            outbox.open();
        }
    }

    @Override
    public void send(Object item, CoalescingOutbox.Completion done) throws IOException {
        byte[] bytes;
        if (item instanceof JobSnapshot snapshot) {
            bytes = format.snapshot(snapshot, nextIsFirst);
            nextIsFirst = false;
        } else if (item == REMOVED) {
            bytes = format.removed(jobId);
        } else {
            bytes = (byte[]) item;
        }
        writing.set(done);
        if (output.write(bytes) && writing.compareAndSet(done, null)) {
            done.sent();
        }
    }

    @Override
    public boolean isLast(Object item) {
        return item == REMOVED || item instanceof JobSnapshot snapshot && snapshot.terminal();
    }

    @Override
    public void ended() {
        finish();
    }

    @Override
    public void failed(Throwable error) {
        log.debug("stream {} failed, closing it: {}", this, error.toString());
        abort();
    }

    /**
     * Queues a heartbeat if nothing was written for {@code intervalNanos} and nothing is queued or on its way: it
     * keeps proxies from closing a quiet stream and finds connections whose client is gone.
     */
    void heartbeatIfQuiet(long now, long intervalNanos) {
        byte[] heartbeat = format.heartbeat();
        if (heartbeat == null || now - outbox.lastSendNanos() < intervalNanos) {
            return;
        }
        synchronized (lock) {
            if (removed || !outbox.idle()) {
                return;
            }
            outbox.reply(heartbeat);
        }
        outbox.sendSoon();
    }

    /** How long the write now on its way has been outstanding, 0 when none is. */
    long writingForNanos(long now) {
        return outbox.sendingForNanos(now);
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
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        outbox.close();
        onClose.run();
        return true;
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return format.name().toLowerCase() + ":" + jobId;
    }
}

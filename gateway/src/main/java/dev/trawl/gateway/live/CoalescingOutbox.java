package dev.trawl.gateway.live;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one live client still has to receive, and the one send in flight to it: the flow control shared by the
 * WebSocket ({@link SocketClient}) and SSE/NDJSON ({@link StreamClient}) clients. It knows nothing of sockets: it
 * hands items to a {@link Connection} and learns from a {@link Completion} when the connection can take the next.
 *
 * <p>What a flush takes, in order:
 * <ol>
 *   <li>replies, at once (unpaced) and in order; at most {@code maxReplies} queued, beyond which {@link #reply}
 *       refuses and the owner decides (a WebSocket is closed);</li>
 *   <li>paced content, at most one flush per {@code interval}: the first after a quiet spell goes at once, a burst
 *       waits for the rest of the interval. In it: a notice of dropped log entries, if any; removals (a removal
 *       replaces whatever was queued for its key and forgets what the client held of it); log entries in arrival
 *       order, each above the sequence number last sent for its key (beyond {@code maxLogEntries} the oldest give
 *       way); and one snapshot per key, the latest, only if its version is above the one the client holds.</li>
 * </ol>
 * So what the outbox holds for a client is bounded by its keys, however slowly it reads; per key, versions go out
 * strictly increasing, and the latest (hence the terminal) snapshot is always the last of its key.
 *
 * <p>One item is in flight at a time. What a flush takes goes out as one batch, item after item, each sent from the
 * completion of the previous one; what arrives meanwhile waits for the next flush. A completion that runs inside
 * {@link Connection#send} continues the loop instead of recursing. An item the connection calls
 * {@link Connection#isLast last} ends the outbox once it has been sent.
 *
 * <p>Thread-safe. The queueing methods never send and never wait: a snapshot, removal or log entry is sent by a
 * flush on the {@link Timer}; replies are sent by {@link #sendNow} on the caller's thread. They all synchronise on
 * {@link #lock()}, which an owner may hold around several calls (and its own state) to make them one step.
 *
 * <p>Why over 300 lines: half of it is Javadoc, and the queues themselves live in {@link PacedContent}; what remains
 * is one state machine (open, sending, flush scheduled, ending, closed) under one lock, with its sender, whose
 * transitions are easier to check side by side than spread over classes that would share the lock.
 *
 * @param <T> what the connection sends
 */
final class CoalescingOutbox<T> {

    /** Below every version and sequence number: nothing held. */
    static final long NOTHING = PacedContent.NOTHING;

    /** Where the items go. */
    interface Connection<T> {

        /**
         * Hands {@code item} to the client without waiting for it, and calls {@code done} once the next item may
         * start (possibly before returning) or the send has failed. Throwing counts as a failed send.
         */
        void send(T item, Completion done) throws Exception;

        /** A send failed: the outbox is closed and has dropped what it held. Called once. */
        void failed(Throwable error);

        /** Whether {@code item} is the last this connection sends (the outbox then ends after it). */
        default boolean isLast(T item) {
            return false;
        }

        /** The last item has been sent: the outbox is closed. */
        default void ended() {
        }

        /** The notice that {@code count} log entries were dropped for this slow client. */
        default T logDropped(long count) {
            throw new UnsupportedOperationException("this connection has no log");
        }
    }

    /** How the connection reports on the item in flight. */
    interface Completion {
        void sent();

        void failed(Throwable error);
    }

    /** Runs a paced flush later. */
    @FunctionalInterface
    interface Timer {
        /** Runs {@code flush} after {@code delayNanos}; may refuse with {@link RejectedExecutionException}. */
        void schedule(Runnable flush, long delayNanos);

        static Timer of(ScheduledExecutorService scheduler) {
            return (flush, delayNanos) -> scheduler.schedule(flush, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * @param interval      at most one paced flush per interval
     * @param maxReplies    replies queued at most
     * @param maxLogEntries log entries queued at most (the oldest give way)
     */
    record Limits(Duration interval, int maxReplies, int maxLogEntries) {
    }

    private final Object lock = new Object();
    private final Connection<T> connection;
    private final Ticker ticker;
    private final Timer timer;
    private final long intervalNanos;
    private final int maxReplies;
    private final LongAdder snapshotsTaken;
    private final Sender sender = new Sender();

    // guarded by lock
    private final ArrayDeque<T> replies = new ArrayDeque<>();
    private final PacedContent<T> paced;
    private final ArrayDeque<T> batch = new ArrayDeque<>();
    private boolean open;
    private boolean sending;
    private boolean flushScheduled;
    private boolean ending;
    private long lastFlushNanos;

    private volatile long sendingSinceNanos;
    private volatile long lastSendNanos;
    private volatile boolean closed;

    /** @param snapshotsTaken counts the snapshots handed to the connection */
    CoalescingOutbox(Connection<T> connection, Ticker ticker, Timer timer, Limits limits, LongAdder snapshotsTaken) {
        this.connection = connection;
        this.ticker = ticker;
        this.timer = timer;
        this.intervalNanos = limits.interval().toNanos();
        this.maxReplies = limits.maxReplies();
        this.paced = new PacedContent<>(limits.maxLogEntries());
        this.snapshotsTaken = snapshotsTaken;
        long now = ticker.nanos();
        this.lastFlushNanos = now - intervalNanos;
        this.lastSendNanos = now;
    }

    /** The monitor every method holds while it touches the queues. */
    Object lock() {
        return lock;
    }

    /** The connection takes items from now on (a WebSocket at once, a servlet stream once it is writable). */
    void open() {
        synchronized (lock) {
            open = true;
        }
        sendNow();
    }

    /** Queues a reply; false, queueing nothing, when the reply lane is full. Dropped silently once closed. */
    boolean reply(T item) {
        return reply(List.of(item));
    }

    /** Queues replies, all or (when they do not fit) none. */
    boolean reply(List<T> items) {
        synchronized (lock) {
            if (closed || ending) {
                return true;
            }
            if (replies.size() + items.size() > maxReplies) {
                return false;
            }
            replies.addAll(items);
            return true;
        }
    }

    /** Queues {@code item} as the snapshot of {@code key} at {@code version}, if newer than what is held or queued. */
    boolean offer(String key, long version, T item) {
        synchronized (lock) {
            if (closed || ending || !paced.offer(key, version, item)) {
                return false;
            }
            wakeLocked();
            return true;
        }
    }

    /** Queues a log entry of {@code key}, if above the sequence number the client holds. */
    boolean append(String key, long seq, T item) {
        synchronized (lock) {
            if (closed || ending || !paced.append(key, seq, item)) {
                return false;
            }
            wakeLocked();
            return true;
        }
    }

    /** Queues the removal of {@code key}: it replaces what was queued for the key, and the client starts afresh. */
    void remove(String key, T removal) {
        synchronized (lock) {
            if (closed || ending) {
                return;
            }
            paced.remove(key, removal);
            wakeLocked();
        }
    }

    /** The client holds {@code key} up to {@code version} (it was answered, or resumes): nothing older goes out. */
    void markDelivered(String key, long version) {
        synchronized (lock) {
            paced.markDelivered(key, version);
        }
    }

    /** The version of {@code key} the client holds, {@link #NOTHING} if none. */
    long deliveredVersion(String key) {
        synchronized (lock) {
            return paced.deliveredVersion(key);
        }
    }

    boolean hasSnapshotQueued(String key) {
        synchronized (lock) {
            return paced.hasSnapshotQueued(key);
        }
    }

    /** The client holds the log of {@code key} up to {@code seq}: queued entries up to it are dropped. */
    void logDelivered(String key, long seq) {
        synchronized (lock) {
            paced.logDelivered(key, seq);
        }
    }

    /** Drops the queued log entries of {@code key} and forgets its sequence numbers. */
    void forgetLog(String key) {
        synchronized (lock) {
            paced.forgetLog(key);
        }
    }

    /** Drops everything queued for {@code key} (not yet taken for sending) and forgets what the client held of it. */
    void forget(String key) {
        synchronized (lock) {
            paced.forget(key);
        }
    }

    /** Sends what is due on the calling thread, unless a send is in flight (whose completion then sends it). */
    void sendNow() {
        synchronized (lock) {
            if (sending || !open || closed) {
                return;
            }
            sending = true;
        }
        sender.run();
    }

    /** Has what is due sent soon on the timer's thread: for callers that must not write to the client themselves. */
    void sendSoon() {
        synchronized (lock) {
            if (open && !sending) {
                scheduleFlushLocked(0);
            }
        }
    }

    /** Stops all sending and drops everything queued. */
    void close() {
        synchronized (lock) {
            closeLocked();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** How long the item now in flight has been outstanding, 0 when none is. */
    long sendingForNanos(long now) {
        long since = sendingSinceNanos;
        return since == 0 ? 0 : now - since;
    }

    /** When the last send started (the outbox's creation before the first). */
    long lastSendNanos() {
        return lastSendNanos;
    }

    /** Nothing queued, nothing in flight. */
    boolean idle() {
        synchronized (lock) {
            return !sending && batch.isEmpty() && replies.isEmpty() && paced.isEmpty();
        }
    }

    /** Items queued or taken and not yet sent (what the client costs the gateway beyond the send in flight). */
    int held() {
        synchronized (lock) {
            return batch.size() + replies.size() + paced.size();
        }
    }

    /** Paced content arrived: a flush is due now or at the end of the interval, unless a send will pick it up. */
    private void wakeLocked() {
        if (open && !sending) {
            scheduleFlushLocked(Math.max(0, lastFlushNanos + intervalNanos - ticker.nanos()));
        }
    }

    private void scheduleFlushLocked(long delayNanos) {
        if (flushScheduled || closed) {
            return;
        }
        try {
            timer.schedule(this::flush, delayNanos);
            flushScheduled = true;
        } catch (RejectedExecutionException e) {
            // the gateway is shutting down
        }
    }

    private void flush() {
        synchronized (lock) {
            flushScheduled = false;
        }
        sendNow();
    }

    /** The next item to send, taking a new batch when the last is done; null when nothing is due. */
    private T nextLocked() {
        if (batch.isEmpty()) {
            takeBatchLocked();
        }
        return batch.pollFirst();
    }

    private void takeBatchLocked() {
        batch.addAll(replies);
        replies.clear();
        if (paced.isEmpty()) {
            return;
        }
        long now = ticker.nanos();
        long due = lastFlushNanos + intervalNanos;
        if (now - due < 0) {
            scheduleFlushLocked(due - now);
            return;
        }
        lastFlushNanos = now;
        snapshotsTaken.add(paced.takeInto(batch, connection::logDropped));
    }

    private void closeLocked() {
        closed = true;
        batch.clear();
        replies.clear();
        paced.clear();
    }

    private void fail(Throwable error) {
        boolean first;
        synchronized (lock) {
            first = !closed;
            closeLocked();
        }
        sendingSinceNanos = 0;
        if (first) {
            connection.failed(error);
        }
    }

    /** Sends item after item, each from the completion of the previous one; loops where a send completes inline. */
    private final class Sender implements Completion {

        private static final int IN_CALL = 0;
        private static final int COMPLETED_IN_CALL = 1;
        private static final int RETURNED = 2;

        private final AtomicInteger phase = new AtomicInteger();

        void run() {
            while (true) {
                T item;
                synchronized (lock) {
                    item = closed ? null : nextLocked();
                    if (item == null) {
                        sending = false;
                        return;
                    }
                    if (connection.isLast(item)) {
                        ending = true; // nothing after it: drop the rest, refuse what comes
                        batch.clear();
                        replies.clear();
                        paced.clear();
                    }
                    long now = ticker.nanos();
                    sendingSinceNanos = now;
                    lastSendNanos = now;
                }
                phase.set(IN_CALL);
                try {
                    connection.send(item, this);
                } catch (Exception e) {
                    fail(e);
                    return;
                }
                if (phase.compareAndSet(IN_CALL, RETURNED)) {
                    return; // sent() carries on when the send completes
                }
            }
        }

        @Override
        public void sent() {
            sendingSinceNanos = 0;
            boolean end;
            synchronized (lock) {
                end = ending && !closed;
                if (ending) {
                    closeLocked();
                }
            }
            if (end) {
                connection.ended();
                return;
            }
            if (phase.compareAndSet(IN_CALL, COMPLETED_IN_CALL)) {
                return; // the loop in run() carries on
            }
            run();
        }

        @Override
        public void failed(Throwable error) {
            fail(error);
        }
    }
}

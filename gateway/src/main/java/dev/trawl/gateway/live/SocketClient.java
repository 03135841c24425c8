package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ChildTransition;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * One WebSocket connection: its subscriptions and what it still has to receive.
 *
 * <p>Nothing here ever blocks on the client. Messages go out with the container's asynchronous send, one at a
 * time; while one is on its way, new snapshots are coalesced per job (latest wins) and the intermediate ones are
 * simply dropped, so what the gateway holds for a client is bounded by its subscriptions (one snapshot per job,
 * at most {@value #MAX_QUEUED_TRANSITIONS} log entries, at most {@value #MAX_QUEUED_REPLIES} replies), however slowly
 * it reads. A client whose send has been outstanding longer than the send time limit is disconnected by
 * {@link LiveSocketHandler}'s sweep, as is one the server heard nothing from within the idle timeout.
 *
 * <p>Per job, a version goes out only when it is higher than the one the client holds, so versions strictly
 * increase, and the latest (hence the terminal) snapshot is always the last one sent. A removed job is the
 * exception: its {@code removed} message replaces whatever was queued for it, and the client starts afresh should
 * the job appear again.
 */
final class SocketClient {

    /** Bounds what one connection can make the gateway remember. */
    static final int MAX_SUBSCRIPTIONS = 1000;
    static final int MAX_QUEUED_REPLIES = 64;
    static final int MAX_QUEUED_TRANSITIONS = 256;

    private static final Logger log = LoggerFactory.getLogger(SocketClient.class);
    private static final long NOTHING = -1;
    /** A queued ping frame (the other queued replies are text messages). */
    private static final Object PING = new Object();
    private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /** A parent snapshot as every subscriber gets it, serialised once. */
    record LiveUpdate(String jobId, long version, String json) {
    }

    /** A child transition as every detail subscriber gets it, serialised once. */
    record LiveTransition(String jobId, long seq, String json) {
    }

    private final WebSocketSession session;
    private final RemoteEndpoint.Async remote;
    private final JobQueries jobs;
    private final ScheduledExecutorService scheduler;
    private final long intervalNanos;
    private final Sender sender = new Sender();
    private final LongAdder pushed;

    private final Object lock = new Object();
    // guarded by lock
    private final Set<String> subscriptions = new HashSet<>();
    private final Set<String> detailed = new HashSet<>();
    private final ArrayDeque<Object> replies = new ArrayDeque<>();
    private final LinkedHashMap<String, LiveUpdate> pending = new LinkedHashMap<>();
    private final Map<String, String> removals = new LinkedHashMap<>();
    private final ArrayDeque<LiveTransition> transitions = new ArrayDeque<>();
    private final Map<String, Long> delivered = new HashMap<>();
    private final Map<String, Long> deliveredSeq = new HashMap<>();
    private long droppedTransitions;
    private boolean sending;
    private boolean flushScheduled;
    private long lastFlushNanos;

    private final long heartbeatNanos;
    // touched by the sweep only
    private long nextHeartbeatNanos;

    private volatile long sendingSinceNanos;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;

    /** @param pushed counts the job snapshots handed to the connection */
    SocketClient(WebSocketSession session, JobQueries jobs, ScheduledExecutorService scheduler, Duration interval,
                 Duration sendTimeLimit, Duration heartbeatInterval, LongAdder pushed) {
        this.session = session;
        this.pushed = pushed;
        Session nativeSession = ((NativeWebSocketSession) session).getNativeSession(Session.class);
        if (nativeSession == null) {
            throw new IllegalStateException("not a Jakarta WebSocket session: " + session);
        }
        // closing a client whose send is stuck must not hold the closing thread for Tomcat's default 20 s
        nativeSession.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, 1000L);
        this.remote = nativeSession.getAsyncRemote();
        this.remote.setSendTimeout(sendTimeLimit.toMillis());
        this.jobs = jobs;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.lastFlushNanos = System.nanoTime() - intervalNanos;
        this.heartbeatNanos = heartbeatInterval.toNanos();
        // the first heartbeat at a random point of the first interval: connections opened together (a reconnect
        // wave, a restart) are not all pinged in the same sweep
        this.nextHeartbeatNanos = System.nanoTime() + ThreadLocalRandom.current().nextLong(1, heartbeatNanos + 1);
    }

    String id() {
        return session.getId();
    }

    /** Queues {@code update} if the client holds nothing as new; sending happens on the flush scheduler. */
    void offer(LiveUpdate update) {
        synchronized (lock) {
            if (closed || !wants(update.jobId())
                    || update.version() <= delivered.getOrDefault(update.jobId(), NOTHING)) {
                return;
            }
            LiveUpdate queued = pending.get(update.jobId());
            if (queued != null && queued.version() >= update.version()) {
                return;
            }
            pending.put(update.jobId(), update);
            scheduleFlushLocked();
        }
    }

    /** Queues a child transition of a job subscribed with detail; the oldest queued ones give way past the cap. */
    void offer(LiveTransition transition) {
        synchronized (lock) {
            if (closed || !detailed.contains(transition.jobId())
                    || transition.seq() <= deliveredSeq.getOrDefault(transition.jobId(), NOTHING)) {
                return;
            }
            transitions.addLast(transition);
            if (transitions.size() > MAX_QUEUED_TRANSITIONS) {
                transitions.removeFirst();
                droppedTransitions++;
            }
            scheduleFlushLocked();
        }
    }

    /** Queues the {@code removed} message of a job the client is interested in, dropping what was queued for it. */
    void removed(String jobId, String message) {
        synchronized (lock) {
            if (closed || !wants(jobId)) {
                return;
            }
            pending.remove(jobId);
            delivered.remove(jobId);
            deliveredSeq.remove(jobId);
            transitions.removeIf(t -> t.jobId().equals(jobId));
            removals.put(jobId, message);
            scheduleFlushLocked();
        }
    }

    /**
     * Subscribes and answers with a snapshot (and the job's recent log when {@code detail}). The caller registered
     * the client for the job's updates first, so an update landing in between is queued, and dropped at flush if
     * the answer already carried it.
     *
     * @param sinceVersion the version the client already holds (resuming), or null
     */
    void subscribe(String jobId, Long sinceVersion, boolean detail, List<ChildTransition> recentLog) {
        List<Object> batch;
        synchronized (lock) {
            if (closed) {
                return;
            }
            subscriptions.add(jobId);
            if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
                List<JobSnapshot> all = jobs.list(null);
                all.forEach(job -> delivered.merge(job.id(), job.version(), Math::max));
                replyLocked(LiveMessages.allJobs(all));
            } else {
                if (sinceVersion != null) {
                    delivered.merge(jobId, sinceVersion, Math::max);
                }
                Optional<JobSnapshot> current = jobs.find(jobId);
                long held = delivered.getOrDefault(jobId, NOTHING);
                if (current.isEmpty()) {
                    replyLocked(LiveMessages.snapshotWithout(jobId, false));
                } else if (current.get().version() <= held) {
                    replyLocked(LiveMessages.snapshotWithout(jobId, true));
                } else {
                    delivered.put(jobId, current.get().version());
                    replyLocked(LiveMessages.jobMessage(LiveMessages.SNAPSHOT, current.get()));
                    pushed.increment();
                }
                if (detail) {
                    detailed.add(jobId);
                    long lastSeq = recentLog.isEmpty() ? 0 : recentLog.get(recentLog.size() - 1).seq();
                    deliveredSeq.merge(jobId, lastSeq, Math::max);
                    transitions.removeIf(t -> t.jobId().equals(jobId) && t.seq() <= lastSeq);
                    replyLocked(LiveMessages.jobLog(jobId, recentLog));
                }
            }
            batch = takeBatchLocked();
        }
        sender.start(batch);
    }

    void unsubscribe(String jobId) {
        List<Object> batch;
        synchronized (lock) {
            subscriptions.remove(jobId);
            detailed.remove(jobId);
            deliveredSeq.remove(jobId);
            transitions.removeIf(t -> t.jobId().equals(jobId));
            if (!wants(jobId)) {
                delivered.remove(jobId);
                pending.remove(jobId);
                removals.remove(jobId);
            }
            replyLocked(LiveMessages.unsubscribed(jobId));
            batch = takeBatchLocked();
        }
        sender.start(batch);
    }

    /** Sends a direct reply (an error, a pong), after whatever is already on its way. */
    void reply(String json) {
        List<Object> batch;
        synchronized (lock) {
            replyLocked(json);
            batch = takeBatchLocked();
        }
        sender.start(batch);
    }

    /** Whether this connection's heartbeat is due; if so, the next one is due an interval later. */
    boolean heartbeatDue(long now) {
        if (now - nextHeartbeatNanos < 0) {
            return false;
        }
        nextHeartbeatNanos = Math.max(nextHeartbeatNanos + heartbeatNanos, now + heartbeatNanos / 2);
        return true;
    }

    /** Queues a ping frame and a {@code heartbeat} message. */
    void heartbeat() {
        List<Object> batch;
        synchronized (lock) {
            if (closed || sending && replies.size() >= MAX_QUEUED_REPLIES - 2) {
                return; // a stuck client does not need more heartbeats queued; the sweep decides its fate
            }
            replies.addLast(PING);
            replies.addLast(LiveMessages.HEARTBEAT);
            batch = takeBatchLocked();
        }
        sender.start(batch);
    }

    Set<String> subscriptions() {
        synchronized (lock) {
            return Set.copyOf(subscriptions);
        }
    }

    int subscriptionCount() {
        synchronized (lock) {
            return subscriptions.size();
        }
    }

    boolean subscribed(String jobId) {
        synchronized (lock) {
            return subscriptions.contains(jobId);
        }
    }

    /** The client sent something (a message or a pong): it is alive. */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long silentForNanos(long now) {
        return now - lastHeardNanos;
    }

    /** How long the message now on its way has been outstanding, 0 when nothing is. */
    long sendingForNanos(long now) {
        long since = sendingSinceNanos;
        return since == 0 ? 0 : now - since;
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops all sending and drops everything queued. */
    void close() {
        synchronized (lock) {
            closed = true;
            pending.clear();
            removals.clear();
            transitions.clear();
            replies.clear();
        }
    }

    void closeSession(CloseStatus status) {
        close();
        try {
            session.close(status);
        } catch (IOException | RuntimeException ignored) {
            // already gone
        }
    }

    private boolean wants(String jobId) {
        return subscriptions.contains(jobId) || subscriptions.contains(LiveSocketHandler.ALL_JOBS);
    }

    private void replyLocked(String json) {
        if (closed) {
            return;
        }
        if (replies.size() >= MAX_QUEUED_REPLIES) {
            // the client sends requests much faster than it reads the answers
            log.debug("{} has {} replies queued, closing it", this, replies.size());
            scheduler.execute(() -> closeSession(CloseStatus.POLICY_VIOLATION.withReason("too many requests queued")));
            closed = true;
            return;
        }
        replies.addLast(json);
    }

    private void scheduleFlushLocked() {
        if (sending || flushScheduled) {
            return; // the send in progress or the scheduled flush will pick it up
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

    private void flush() {
        List<Object> batch;
        synchronized (lock) {
            flushScheduled = false;
            batch = takeBatchLocked();
        }
        sender.start(batch);
    }

    /**
     * What to send next, or null: replies at once, coalesced updates once the interval has passed (else a flush
     * is scheduled). Marks the client as sending when it returns a batch.
     */
    private List<Object> takeBatchLocked() {
        if (closed || sending) {
            return null;
        }
        List<Object> batch = new ArrayList<>(replies);
        replies.clear();
        if (!pending.isEmpty() || !removals.isEmpty() || !transitions.isEmpty()) {
            long now = System.nanoTime();
            if (now - (lastFlushNanos + intervalNanos) >= 0) {
                lastFlushNanos = now;
                if (droppedTransitions > 0) {
                    batch.add(LiveMessages.childProgressDropped(droppedTransitions));
                    droppedTransitions = 0;
                }
                batch.addAll(removals.values()); // before anything of a job that appears again
                removals.clear();
                // children first: a parent snapshot then already counts what the log just said
                for (LiveTransition t : transitions) {
                    if (detailed.contains(t.jobId()) && t.seq() > deliveredSeq.getOrDefault(t.jobId(), NOTHING)) {
                        deliveredSeq.put(t.jobId(), t.seq());
                        batch.add(t.json());
                    }
                }
                transitions.clear();
                for (LiveUpdate update : pending.values()) {
                    if (wants(update.jobId()) && update.version() > delivered.getOrDefault(update.jobId(), NOTHING)) {
                        delivered.put(update.jobId(), update.version());
                        batch.add(update.json());
                        pushed.increment();
                    }
                }
                pending.clear();
            } else {
                scheduleFlushLocked();
            }
        }
        if (batch.isEmpty()) {
            return null;
        }
        sending = true;
        return batch;
    }

    private void failed(Throwable error) {
        if (!closed) {
            log.info("{} did not take a message ({}), closing it", this, String.valueOf(error));
            sendingSinceNanos = 0;
            scheduler.execute(() -> closeSession(CloseStatus.SESSION_NOT_RELIABLE));
        }
        close();
    }

    /**
     * Sends batches one message at a time with the asynchronous remote endpoint, chaining each send from the
     * completion of the previous one. A send that completes inline continues the loop instead of recursing.
     */
    private final class Sender implements SendHandler {

        private static final int IN_CALL = 0;
        private static final int COMPLETED_IN_CALL = 1;
        private static final int RETURNED = 2;

        private final AtomicInteger phase = new AtomicInteger();
        private Iterator<Object> messages = List.<Object>of().iterator();

        void start(List<Object> batch) {
            if (batch != null) {
                messages = batch.iterator();
                run();
            }
        }

        private void run() {
            while (true) {
                if (!messages.hasNext()) {
                    List<Object> next;
                    synchronized (lock) {
                        sending = false;
                        sendingSinceNanos = 0;
                        next = takeBatchLocked();
                    }
                    if (next == null) {
                        return;
                    }
                    messages = next.iterator();
                    continue;
                }
                Object message = messages.next();
                if (closed) {
                    return;
                }
                sendingSinceNanos = System.nanoTime();
                if (message == PING) {
                    try {
                        remote.sendPing(ByteBuffer.allocate(0));
                    } catch (IOException | RuntimeException e) {
                        failed(e);
                        return;
                    }
                    continue;
                }
                phase.set(IN_CALL);
                try {
                    remote.sendText((String) message, this);
                } catch (RuntimeException e) {
                    failed(e);
                    return;
                }
                if (phase.compareAndSet(IN_CALL, RETURNED)) {
                    return; // onResult carries on when the send completes
                }
            }
        }

        @Override
        public void onResult(SendResult result) {
            if (!result.isOK()) {
                failed(result.getException());
            }
            if (phase.compareAndSet(IN_CALL, COMPLETED_IN_CALL)) {
                return; // the loop in run() carries on
            }
            if (result.isOK()) {
                run();
            }
        }
    }

    @Override
    public String toString() {
        return "ws:" + session.getId();
    }
}

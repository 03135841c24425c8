package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ChildTransition;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * One WebSocket connection: its subscriptions, and a {@link CoalescingOutbox} of what it still has to receive.
 *
 * <p>Nothing here ever blocks on the client. Messages go out with the container's asynchronous send, one at a
 * time; while one is on its way, new snapshots are coalesced per job (latest wins), so what the gateway holds for a
 * client is bounded by its subscriptions (one snapshot per job, at most {@value #MAX_QUEUED_TRANSITIONS} log entries,
 * at most {@value #MAX_QUEUED_REPLIES} replies), however slowly it reads. A client whose send has been outstanding
 * longer than the send time limit is disconnected by {@link LiveSocketHandler}'s sweep, as is one the server heard
 * nothing from within the idle timeout.
 *
 * <p>Per job, a version goes out only when it is higher than the one the client holds, so versions strictly
 * increase, and the latest (hence the terminal) snapshot is always the last one sent. A removed job is the
 * exception: its {@code removed} message replaces whatever was queued for it, and the client starts afresh should
 * the job appear again.
 */
final class SocketClient implements CoalescingOutbox.Connection<Object> {

    /** Bounds what one connection can make the gateway remember. */
    static final int MAX_SUBSCRIPTIONS = 1000;
    static final int MAX_QUEUED_REPLIES = 64;
    static final int MAX_QUEUED_TRANSITIONS = 256;

    private static final Logger log = LoggerFactory.getLogger(SocketClient.class);
    /** A queued ping frame (every other item is a text message). */
    private static final Object PING = new Object();
    /** Jakarta WebSocket user property documented by Tomcat: how long a blocking send (the close frame) may wait. */
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
    private final Ticker ticker;
    private final LongAdder pushed;
    private final CoalescingOutbox<Object> outbox;
    private final Object lock;
    // guarded by lock
    private final Set<String> subscriptions = new HashSet<>();
    private final Set<String> detailed = new HashSet<>();

    /** The outbox's completion of the text message in flight, and the container's callback that reports to it. */
    private volatile CoalescingOutbox.Completion completion;
    private final SendHandler onResult = result -> {
        if (result.isOK()) {
            completion.sent();
        } else {
            completion.failed(result.getException());
        }
    };

    private final HeartbeatSchedule heartbeats; // touched by the sweep only
    private volatile long lastHeardNanos;

    /** @param pushed counts the job snapshots handed to the connection */
    SocketClient(WebSocketSession session, JobQueries jobs, ScheduledExecutorService scheduler, Ticker ticker,
                 Duration interval, Duration sendTimeLimit, Duration heartbeatInterval, LongAdder pushed) {
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
        this.ticker = ticker;
        this.outbox = new CoalescingOutbox<>(this, ticker, CoalescingOutbox.Timer.of(scheduler),
                new CoalescingOutbox.Limits(interval, MAX_QUEUED_REPLIES, MAX_QUEUED_TRANSITIONS), pushed);
        this.lock = outbox.lock();
        this.lastHeardNanos = ticker.nanos();
        this.heartbeats = new HeartbeatSchedule(heartbeatInterval.toNanos(), ticker.nanos(),
                ThreadLocalRandom.current());
        outbox.open();
    }

    String id() {
        return session.getId();
    }

    /** Queues {@code update} if the client holds nothing as new; sending happens on the flush scheduler. */
    void offer(LiveUpdate update) {
        synchronized (lock) {
            if (wants(update.jobId())) {
                outbox.offer(update.jobId(), update.version(), update.json());
            }
        }
    }

    /** Queues a child transition of a job subscribed with detail; the oldest queued ones give way past the cap. */
    void offer(LiveTransition transition) {
        synchronized (lock) {
            if (detailed.contains(transition.jobId())) {
                outbox.append(transition.jobId(), transition.seq(), transition.json());
            }
        }
    }

    /** Queues the {@code removed} message of a job the client is interested in, dropping what was queued for it. */
    void removed(String jobId, String message) {
        synchronized (lock) {
            if (wants(jobId)) {
                outbox.remove(jobId, message);
            }
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
        synchronized (lock) {
            if (outbox.isClosed()) {
                return;
            }
            subscriptions.add(jobId);
            if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
                List<JobSnapshot> all = jobs.list(null);
                all.forEach(job -> outbox.markDelivered(job.id(), job.version()));
                queueReply(LiveMessages.allJobs(all));
            } else {
                if (sinceVersion != null) {
                    outbox.markDelivered(jobId, sinceVersion);
                }
                Optional<JobSnapshot> current = jobs.find(jobId);
                if (current.isEmpty()) {
                    queueReply(LiveMessages.snapshotWithout(jobId, false));
                } else if (current.get().version() <= outbox.deliveredVersion(jobId)) {
                    queueReply(LiveMessages.snapshotWithout(jobId, true));
                } else {
                    outbox.markDelivered(jobId, current.get().version());
                    queueReply(LiveMessages.jobMessage(LiveMessages.SNAPSHOT, current.get()));
                    pushed.increment();
                }
                if (detail) {
                    detailed.add(jobId);
                    outbox.logDelivered(jobId, recentLog.isEmpty() ? 0 : recentLog.get(recentLog.size() - 1).seq());
                    queueReply(LiveMessages.jobLog(jobId, recentLog));
                }
            }
        }
        outbox.sendNow();
    }

    void unsubscribe(String jobId) {
        synchronized (lock) {
            subscriptions.remove(jobId);
            detailed.remove(jobId);
            outbox.forgetLog(jobId);
            if (!wants(jobId)) {
                outbox.forget(jobId);
            }
            queueReply(LiveMessages.unsubscribed(jobId));
        }
        outbox.sendNow();
    }

    /** Sends a direct reply (an error, a pong), after whatever is already on its way. */
    void reply(String json) {
        queueReply(json);
        outbox.sendNow();
    }

    private void queueReply(String json) {
        if (!outbox.reply(json)) {
            // the client sends requests much faster than it reads the answers
            log.debug("{} has {} replies queued, closing it", this, MAX_QUEUED_REPLIES);
            outbox.close();
            scheduler.execute(() -> closeSession(CloseStatus.POLICY_VIOLATION.withReason("too many requests queued")));
        }
    }

    /** Whether this connection's heartbeat is due; if so, the next one is due an interval later. */
    boolean heartbeatDue(long now) {
        return heartbeats.due(now);
    }

    /** Queues a ping frame and a {@code heartbeat} message, unless the replies of a stuck client fill its queue. */
    void heartbeat() {
        if (outbox.reply(List.of(PING, LiveMessages.HEARTBEAT))) {
            outbox.sendNow();
        } // else the sweep decides the stuck client's fate
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
        lastHeardNanos = ticker.nanos();
    }

    long silentForNanos(long now) {
        return now - lastHeardNanos;
    }

    /** How long the message now on its way has been outstanding, 0 when nothing is. */
    long sendingForNanos(long now) {
        return outbox.sendingForNanos(now);
    }

    /** Stops all sending and drops everything queued. */
    void close() {
        outbox.close();
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

    @Override
    public void send(Object message, CoalescingOutbox.Completion done) throws IOException {
        if (message == PING) {
            remote.sendPing(ByteBuffer.allocate(0));
            done.sent();
            return;
        }
        completion = done;
        remote.sendText((String) message, onResult);
    }

    @Override
    public void failed(Throwable error) {
        log.info("{} did not take a message ({}), closing it", this, String.valueOf(error));
        scheduler.execute(() -> closeSession(CloseStatus.SESSION_NOT_RELIABLE));
    }

    @Override
    public Object logDropped(long count) {
        return LiveMessages.childProgressDropped(count);
    }

    @Override
    public String toString() {
        return "ws:" + session.getId();
    }
}

package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One WebSocket connection: its subscriptions and its coalesced outbox. The session is a
 * {@link org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator}, so a client that stops
 * reading is closed once a send blocks too long or too much piles up behind it, never buffered without bound.
 */
final class SocketClient extends SnapshotOutbox {

    /** Bounds what one connection can make the gateway remember. */
    static final int MAX_SUBSCRIPTIONS = 1000;

    private final WebSocketSession session;
    private final JobQueries jobs;
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();

    SocketClient(WebSocketSession session, JobQueries jobs, ScheduledExecutorService scheduler, Duration interval) {
        super(scheduler, interval);
        this.session = session;
        this.jobs = jobs;
    }

    @Override
    protected boolean wants(String jobId) {
        return subscriptions.contains(jobId) || subscriptions.contains(LiveSocketHandler.ALL_JOBS);
    }

    @Override
    protected void deliver(List<JobSnapshot> updates) throws IOException {
        for (JobSnapshot update : updates) {
            session.sendMessage(new TextMessage(LiveMessages.jobMessage(LiveMessages.PROGRESS, update)));
        }
    }

    /**
     * Subscribes and answers with a snapshot. Subscribing before looking the job up means an update that lands in
     * between is queued, and then dropped at flush if the answer already carried it.
     *
     * @param sinceVersion the version the client already holds (resuming), or null
     */
    void subscribe(String jobId, Long sinceVersion) {
        if (!subscriptions.contains(jobId) && subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            send(LiveMessages.error("too many subscriptions (at most " + MAX_SUBSCRIPTIONS + ")"));
            return;
        }
        sendExclusively(() -> {
            subscriptions.add(jobId);
            if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
                List<JobSnapshot> all = jobs.list(null);
                all.forEach(job -> markDelivered(job.id(), job.version()));
                send(LiveMessages.allJobs(all));
                return;
            }
            if (sinceVersion != null) {
                markDelivered(jobId, sinceVersion);
            }
            Optional<JobSnapshot> current = jobs.find(jobId);
            if (current.isEmpty()) {
                send(LiveMessages.snapshotWithout(jobId, false));
            } else if (current.get().version() <= deliveredVersion(jobId)) {
                send(LiveMessages.snapshotWithout(jobId, true));
            } else {
                markDelivered(jobId, current.get().version());
                send(LiveMessages.jobMessage(LiveMessages.SNAPSHOT, current.get()));
            }
        });
    }

    void unsubscribe(String jobId) {
        sendExclusively(() -> {
            subscriptions.remove(jobId);
            if (!wants(jobId)) {
                forget(jobId);
            }
            send(LiveMessages.unsubscribed(jobId));
        });
    }

    void send(String json) {
        try {
            session.sendMessage(new TextMessage(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void onFailure(Exception e) {
        closeSession(CloseStatus.SESSION_NOT_RELIABLE);
    }

    void closeSession(CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException | RuntimeException ignored) {
            // already gone
        }
    }

    @Override
    public String toString() {
        return "ws:" + session.getId();
    }
}

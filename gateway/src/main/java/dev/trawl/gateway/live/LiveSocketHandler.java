package dev.trawl.gateway.live;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.serde.Json;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ChildTransition;
import dev.trawl.gateway.readmodel.ReadModel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code /ws}: plain JSON messages. The client sends {@code {"op":"subscribe","job_id":"<id>"|"*"}} (optionally
 * {@code "since_version"} to resume, {@code "detail": true} for the job's child transitions),
 * {@code {"op":"unsubscribe","job_id":...}} and {@code {"op":"ping"}}; the server answers each subscription with a
 * {@code snapshot} message and then pushes {@code parent_job_progress} messages, coalesced per client, and a
 * {@code removed} message when a job is deleted. A message it cannot understand gets an {@code error} message; the
 * connection stays open.
 *
 * <p>A sweep, every half {@code send-time-limit} or a tenth of {@code heartbeat-interval} if shorter, closes the
 * connections whose send has been outstanding longer than {@code send-time-limit} (4500; the container's send
 * timeout usually ends them first) and those silent for longer than {@code idle-timeout} (1001), and pings the others every
 * {@code heartbeat-interval} (a ping frame and a {@code heartbeat} message), each connection on its own schedule:
 * 5,000 connections are not pinged in one burst of 10,000 messages.
 */
@Component
public class LiveSocketHandler extends TextWebSocketHandler implements ApplicationListener<ContextClosedEvent> {

    /** Subscribes to every job. */
    public static final String ALL_JOBS = "*";
    static final int MAX_JOB_ID_LENGTH = 128;
    static final CloseStatus IDLE = CloseStatus.GOING_AWAY.withReason("idle timeout");
    static final CloseStatus TOO_SLOW = CloseStatus.SESSION_NOT_RELIABLE.withReason("send time limit exceeded");

    private static final Logger log = LoggerFactory.getLogger(LiveSocketHandler.class);

    private final JobQueries jobs;
    private final ReadModel readModel;
    private final ScheduledExecutorService scheduler;
    private final GatewayProperties.Ws config;
    private final Map<String, SocketClient> clients = new ConcurrentHashMap<>();
    private final Subscribers subscribers = new Subscribers();
    private final ScheduledFuture<?> sweep;
    private final LongAdder pushed;
    private final Ticker ticker = Ticker.SYSTEM;

    public LiveSocketHandler(JobQueries jobs, ReadModel readModel, ScheduledExecutorService liveScheduler,
                             GatewayProperties properties, LiveMeters meters) {
        this.jobs = jobs;
        this.pushed = meters.pushedToSockets;
        meters.connectedSockets(clients::size);
        this.readModel = readModel;
        this.scheduler = liveScheduler;
        this.config = properties.ws();
        readModel.addListener(new ReadModel.ParentListener() {
            @Override
            public void onParentProgress(ParentProgress snapshot) {
                fanOut(snapshot);
            }

            @Override
            public void onParentRemoved(String parentId) {
                fanOutRemoval(parentId);
            }
        });
        readModel.addChildListener(this::fanOut);
        // often enough that a stuck client goes within half a send time limit of it, and that each connection's
        // heartbeat (on its own schedule) is at most a tenth of an interval late
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(config.heartbeatInterval().toNanos() / 10, config.sendTimeLimit().toNanos() / 2));
        sweep = scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
    }

    private void fanOut(ParentProgress progress) {
        if (!subscribers.anyFor(progress.id())) {
            return;
        }
        JobSnapshot snapshot = JobSnapshot.of(progress);
        SocketClient.LiveUpdate update = new SocketClient.LiveUpdate(snapshot.id(), snapshot.version(),
                LiveMessages.jobMessage(LiveMessages.PROGRESS, snapshot));
        subscribers.forEachFor(snapshot.id(), client -> client.offer(update));
    }

    private void fanOutRemoval(String jobId) {
        if (!subscribers.anyFor(jobId)) {
            return;
        }
        String message = LiveMessages.removed(jobId);
        subscribers.forEachFor(jobId, client -> client.removed(jobId, message));
    }

    private void fanOut(ChildTransition transition) {
        if (!subscribers.anyDetailFor(transition.jobId())) {
            return;
        }
        SocketClient.LiveTransition message = new SocketClient.LiveTransition(transition.jobId(), transition.seq(),
                LiveMessages.childProgress(transition));
        subscribers.forEachDetailFor(transition.jobId(), client -> client.offer(message));
    }

    private void sweep() {
        long now = ticker.nanos();
        for (SocketClient client : clients.values()) {
            try {
                if (client.sendingForNanos(now) > config.sendTimeLimit().toNanos()) {
                    log.info("{} has not taken a message for {}, disconnecting it", client, config.sendTimeLimit());
                    close(client, TOO_SLOW);
                } else if (client.silentForNanos(now) > config.idleTimeout().toNanos()) {
                    log.debug("{} silent for {}, disconnecting it", client, config.idleTimeout());
                    close(client, IDLE);
                } else if (client.heartbeatDue(now)) {
                    client.heartbeat();
                }
            } catch (RuntimeException e) {
                log.warn("heartbeat of {} failed", client, e);
            }
        }
    }

    private void close(SocketClient client, CloseStatus status) {
        clients.remove(client.id());
        subscribers.removeAll(client, client.subscriptions());
        client.close();
        // the close handshake may wait (briefly) behind the stuck send: not on the sweep's thread
        scheduler.execute(() -> client.closeSession(status));
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        // bounds what a client may send in one message; the container closes the connection (1009) above it.
        // Tomcat allocates both message buffers up front for every connection, so they are what a connection
        // costs in heap: keep them small (clients send short JSON; binary messages are not part of the protocol)
        session.setTextMessageSizeLimit((int) config.maxTextMessageSize().toBytes());
        session.setBinaryMessageSizeLimit(1024);
        clients.put(session.getId(), new SocketClient(session, jobs, scheduler, ticker, config.coalesceInterval(),
                config.sendTimeLimit(), config.heartbeatInterval(), pushed));
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        SocketClient client = clients.get(session.getId());
        if (client != null) {
            client.heard();
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        SocketClient client = clients.get(session.getId());
        if (client == null) {
            return;
        }
        client.heard();
        try {
            handle(client, message.getPayload());
        } catch (RuntimeException e) {
            log.debug("cannot answer {}: {}", client, e.toString());
        }
    }

    private void handle(SocketClient client, String payload) {
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(payload);
        } catch (JacksonException e) {
            client.reply(LiveMessages.error("malformed JSON: " + abbreviate(e.getOriginalMessage(), 200)));
            return;
        }
        if (request == null || !request.isObject()) {
            client.reply(LiveMessages.error("a message must be a JSON object with an \"op\""));
            return;
        }
        JsonNode op = request.get("op");
        if (op == null || !op.isString()) {
            client.reply(LiveMessages.error("missing \"op\": use subscribe, unsubscribe or ping"));
            return;
        }
        JsonNode jobId = request.get("job_id");
        boolean validId = jobId != null && jobId.isString() && !jobId.stringValue().isBlank()
                && jobId.stringValue().length() <= MAX_JOB_ID_LENGTH;
        switch (op.stringValue()) {
            case "subscribe" -> subscribe(client, request, validId ? jobId.stringValue() : null);
            case "unsubscribe" -> {
                if (!validId) {
                    client.reply(LiveMessages.error("unsubscribe needs a \"job_id\""));
                    return;
                }
                subscribers.remove(jobId.stringValue(), client);
                client.unsubscribe(jobId.stringValue());
            }
            case "ping" -> client.reply(LiveMessages.PONG);
            default -> client.reply(LiveMessages.error("unknown op \"" + abbreviate(op.stringValue(), 50)
                    + "\": use subscribe, unsubscribe or ping"));
        }
    }

    private void subscribe(SocketClient client, JsonNode request, String jobId) {
        if (jobId == null) {
            client.reply(LiveMessages.error("subscribe needs a \"job_id\" (a job id or \"*\")"));
            return;
        }
        JsonNode since = request.get("since_version");
        if (since != null && !since.isNull() && !(since.isIntegralNumber() && since.canConvertToLong())) {
            client.reply(LiveMessages.error("\"since_version\" must be an integer"));
            return;
        }
        JsonNode detailNode = request.get("detail");
        if (detailNode != null && !detailNode.isNull() && !detailNode.isBoolean()) {
            client.reply(LiveMessages.error("\"detail\" must be true or false"));
            return;
        }
        boolean detail = detailNode != null && detailNode.booleanValue();
        if (detail && jobId.equals(ALL_JOBS)) {
            client.reply(LiveMessages.error("\"detail\" needs one job id, not \"*\""));
            return;
        }
        if (!client.subscribed(jobId) && client.subscriptionCount() >= SocketClient.MAX_SUBSCRIPTIONS) {
            client.reply(LiveMessages.error("too many subscriptions (at most " + SocketClient.MAX_SUBSCRIPTIONS + ")"));
            return;
        }
        // registered before the client looks the job up: an update in between is queued, never lost
        subscribers.add(jobId, client, detail);
        List<ChildTransition> recent = detail ? readModel.log(jobId, Integer.MAX_VALUE) : List.of();
        client.subscribe(jobId, since == null || since.isNull() ? null : since.longValue(), detail, recent);
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("websocket {} transport error: {}", session.getId(), exception.toString());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        SocketClient client = clients.remove(session.getId());
        if (client != null) {
            subscribers.removeAll(client, client.subscriptions());
            client.close();
        }
    }

    /** Closes every connection when the gateway stops, so clients reconnect elsewhere without waiting. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        sweep.cancel(false);
        clients.values().forEach(client -> client.closeSession(CloseStatus.GOING_AWAY));
    }

    /** Open connections (for tests and metrics). */
    public int connections() {
        return clients.size();
    }

    private static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}

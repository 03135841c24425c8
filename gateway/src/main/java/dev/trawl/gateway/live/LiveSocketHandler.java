package dev.trawl.gateway.live;

import dev.trawl.api.serde.Json;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ReadModel;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code /ws}: plain JSON messages. The client sends {@code {"op":"subscribe","job_id":"<id>"|"*"}} (optionally
 * {@code "since_version"} to resume) and {@code {"op":"unsubscribe","job_id":...}}; the server answers each
 * subscription with a {@code snapshot} message and then pushes {@code parent_job_progress} messages, coalesced per
 * client. A message it cannot understand gets an {@code error} message; the connection stays open.
 */
@Component
public class LiveSocketHandler extends TextWebSocketHandler implements ApplicationListener<ContextClosedEvent> {

    /** Subscribes to every job. */
    public static final String ALL_JOBS = "*";
    static final int MAX_JOB_ID_LENGTH = 128;

    private static final Logger log = LoggerFactory.getLogger(LiveSocketHandler.class);

    private final JobQueries jobs;
    private final ScheduledExecutorService scheduler;
    private final GatewayProperties.Ws config;
    private final Map<String, SocketClient> clients = new ConcurrentHashMap<>();

    public LiveSocketHandler(JobQueries jobs, ReadModel readModel, ScheduledExecutorService liveScheduler,
                             GatewayProperties properties) {
        this.jobs = jobs;
        this.scheduler = liveScheduler;
        this.config = properties.ws();
        readModel.addListener(this::fanOut);
    }

    private void fanOut(dev.trawl.api.event.ParentProgress progress) {
        if (clients.isEmpty()) {
            return;
        }
        JobSnapshot snapshot = JobSnapshot.of(progress);
        clients.values().forEach(client -> client.offer(snapshot));
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        // bounds what a client may send in one message; the container closes the connection (1009) above it
        session.setTextMessageSizeLimit((int) config.maxTextMessageSize().toBytes());
        WebSocketSession bounded = new ConcurrentWebSocketSessionDecorator(session,
                (int) config.sendTimeLimit().toMillis(), (int) config.sendBufferLimit().toBytes());
        clients.put(session.getId(), new SocketClient(bounded, jobs, scheduler, config.coalesceInterval()));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        SocketClient client = clients.get(session.getId());
        if (client == null) {
            return;
        }
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
            client.send(LiveMessages.error("malformed JSON: " + e.getOriginalMessage()));
            return;
        }
        if (request == null || !request.isObject()) {
            client.send(LiveMessages.error("a message must be a JSON object with an \"op\""));
            return;
        }
        JsonNode op = request.get("op");
        if (op == null || !op.isString()) {
            client.send(LiveMessages.error("missing \"op\": use subscribe or unsubscribe"));
            return;
        }
        JsonNode jobId = request.get("job_id");
        boolean validId = jobId != null && jobId.isString() && !jobId.stringValue().isBlank()
                && jobId.stringValue().length() <= MAX_JOB_ID_LENGTH;
        switch (op.stringValue()) {
            case "subscribe" -> {
                if (!validId) {
                    client.send(LiveMessages.error("subscribe needs a \"job_id\" (a job id or \"*\")"));
                    return;
                }
                JsonNode since = request.get("since_version");
                if (since != null && !since.isNull() && !(since.isIntegralNumber() && since.canConvertToLong())) {
                    client.send(LiveMessages.error("\"since_version\" must be an integer"));
                    return;
                }
                client.subscribe(jobId.stringValue(), since == null || since.isNull() ? null : since.longValue());
            }
            case "unsubscribe" -> {
                if (!validId) {
                    client.send(LiveMessages.error("unsubscribe needs a \"job_id\""));
                    return;
                }
                client.unsubscribe(jobId.stringValue());
            }
            default -> client.send(LiveMessages.error("unknown op \"" + abbreviate(op.stringValue())
                    + "\": use subscribe or unsubscribe"));
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("websocket {} transport error: {}", session.getId(), exception.toString());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        SocketClient client = clients.remove(session.getId());
        if (client != null) {
            client.close();
        }
    }

    /** Closes every connection when the gateway stops, so clients reconnect elsewhere without waiting. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        clients.values().forEach(client -> {
            client.close();
            client.closeSession(CloseStatus.GOING_AWAY);
        });
    }

    /** Open connections (for tests and metrics). */
    public int connections() {
        return clients.size();
    }

    private static String abbreviate(String s) {
        return s.length() <= 50 ? s : s.substring(0, 50) + "…";
    }
}

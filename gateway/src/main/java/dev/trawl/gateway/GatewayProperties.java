package dev.trawl.gateway;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of the gateway's edges ({@code trawl.gateway.*}); see application.yml for each default.
 *
 * @param apiToken when set, the bearer token required for mutating endpoints and for subscriptions (WebSocket, SSE,
 *                 NDJSON); unset (the default) leaves the gateway open, as on a developer's machine
 */
@ConfigurationProperties("trawl.gateway")
public record GatewayProperties(
        @DefaultValue Ws ws,
        @DefaultValue Submit submit,
        @DefaultValue Stream stream,
        @DefaultValue JobLog jobLog,
        @DefaultValue ReadModelSettings readModel,
        String apiToken) {

    public boolean tokenRequired() {
        return apiToken != null && !apiToken.isBlank();
    }

    /**
     * @param coalesceInterval   at most one flush per client every this often (latest snapshot wins)
     * @param sendTimeLimit      a client with a send outstanding longer than this is disconnected
     * @param maxTextMessageSize largest client message accepted (larger: closed with 1009); Tomcat allocates a
     *                           buffer of this many characters per connection
     * @param allowedOrigins     browser origins allowed besides the gateway's own (empty = same origin only)
     * @param heartbeatInterval  how often the server pings every connection
     * @param idleTimeout        a connection the server heard nothing from (no message, no pong) this long is closed
     */
    public record Ws(
            @DefaultValue("50ms") Duration coalesceInterval,
            @DefaultValue("10s") Duration sendTimeLimit,
            @DefaultValue("8KB") DataSize maxTextMessageSize,
            @DefaultValue List<String> allowedOrigins,
            @DefaultValue("15s") Duration heartbeatInterval,
            @DefaultValue("60s") Duration idleTimeout) {
    }

    /** @param snapshotWait how long {@code POST /api/jobs} waits for the aggregator's first snapshot */
    public record Submit(@DefaultValue("2s") Duration snapshotWait) {
    }

    /**
     * @param timeout          an SSE or NDJSON stream is closed after this long, finished or not
     * @param coalesceInterval at most one write per stream every this often
     * @param sendTimeLimit    a stream whose client has not taken a write for this long is disconnected
     */
    public record Stream(
            @DefaultValue("1h") Duration timeout,
            @DefaultValue("50ms") Duration coalesceInterval,
            @DefaultValue("10s") Duration sendTimeLimit,
            @DefaultValue("15s") Duration heartbeatInterval) {
    }

    /**
     * @param size    child status transitions kept per job
     * @param maxJobs jobs whose log is kept (the least recently changed is forgotten first)
     */
    public record JobLog(@DefaultValue("100") int size, @DefaultValue("1000") int maxJobs) {
    }

    /**
     * @param finishedChildrenInHeap how long after a job finished its children stay in the heap as objects; after
     *                               that only their positions in {@code trawl.child-progress} are kept and
     *                               {@code GET /api/jobs/{id}/children} reads the records back from the topic
     */
    public record ReadModelSettings(@DefaultValue("10m") Duration finishedChildrenInHeap) {
    }
}

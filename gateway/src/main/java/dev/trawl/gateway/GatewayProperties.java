package dev.trawl.gateway;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Tuning of the gateway's edges ({@code trawl.gateway.*}); see application.yml for each default. */
@ConfigurationProperties("trawl.gateway")
public record GatewayProperties(@DefaultValue Ws ws, @DefaultValue Submit submit, @DefaultValue Stream stream) {

    /**
     * @param coalesceInterval   at most one flush per client every this often (latest snapshot wins)
     * @param sendTimeLimit      a client whose send blocks longer than this is dropped
     * @param sendBufferLimit    a client with more than this queued behind a blocked send is dropped
     * @param maxTextMessageSize largest client message accepted
     * @param allowedOrigins     browser origins allowed besides the gateway's own (empty = same origin only)
     */
    public record Ws(
            @DefaultValue("50ms") Duration coalesceInterval,
            @DefaultValue("10s") Duration sendTimeLimit,
            @DefaultValue("1MB") DataSize sendBufferLimit,
            @DefaultValue("64KB") DataSize maxTextMessageSize,
            @DefaultValue List<String> allowedOrigins) {
    }

    /** @param snapshotWait how long {@code POST /api/jobs} waits for the aggregator's first snapshot */
    public record Submit(@DefaultValue("2s") Duration snapshotWait) {
    }

    /**
     * @param timeout          an SSE or NDJSON stream is closed after this long, finished or not
     * @param coalesceInterval at most one write per stream every this often
     */
    public record Stream(@DefaultValue("1h") Duration timeout, @DefaultValue("50ms") Duration coalesceInterval) {
    }
}

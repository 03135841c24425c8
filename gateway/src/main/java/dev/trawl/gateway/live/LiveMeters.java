package dev.trawl.gateway.live;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The live fan-out's meters:
 * <ul>
 *   <li>{@code trawl.gateway.snapshots.pushed}, tagged {@code channel} (websocket, stream): job snapshots handed to a
 *       client's connection (a WebSocket {@code snapshot} or {@code parent_job_progress} message, an SSE event or
 *       an NDJSON line), after coalescing;</li>
 *   <li>{@code trawl.gateway.clients.connected}, tagged {@code channel}: open WebSocket connections, open SSE and
 *       NDJSON streams.</li>
 * </ul>
 * The counts are {@link LongAdder}s the senders increment; the gauges read the handlers' own sets.
 */
public final class LiveMeters implements MeterBinder {

    final LongAdder pushedToSockets = new LongAdder();
    final LongAdder pushedToStreams = new LongAdder();
    private IntSupplier sockets = () -> 0;
    private IntSupplier streams = () -> 0;

    void connectedSockets(IntSupplier count) {
        this.sockets = count;
    }

    void connectedStreams(IntSupplier count) {
        this.streams = count;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("trawl.gateway.snapshots.pushed", pushedToSockets, LongAdder::sum)
                .description("Job snapshots handed to clients' connections").tag("channel", "websocket")
                .register(registry);
        FunctionCounter.builder("trawl.gateway.snapshots.pushed", pushedToStreams, LongAdder::sum)
                .description("Job snapshots handed to clients' connections").tag("channel", "stream")
                .register(registry);
        Gauge.builder("trawl.gateway.clients.connected", this, meters -> meters.sockets.getAsInt())
                .description("Open live connections").tag("channel", "websocket").register(registry);
        Gauge.builder("trawl.gateway.clients.connected", this, meters -> meters.streams.getAsInt())
                .description("Open live connections").tag("channel", "stream").register(registry);
    }
}

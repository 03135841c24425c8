package dev.trawl.gateway.live;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.api.NotFoundException;
import dev.trawl.gateway.readmodel.ReadModel;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Streams of one job's snapshots over plain HTTP.
 * <ul>
 *   <li>{@code GET /api/jobs/{id}/events}: Server-Sent Events; first event {@code snapshot}, then
 *   {@code parent_job_progress}, each with {@code id:} = version; a reconnect with {@code Last-Event-ID} gets only
 *   newer versions. The stream ends after the terminal snapshot, or after a {@code removed} event when the job is
 *   deleted.</li>
 *   <li>{@code GET /api/jobs/{id}/stream}: {@code application/x-ndjson}, one snapshot per line as it changes,
 *   ending after the terminal snapshot, or after a last {@code {"type":"removed",..}} line.</li>
 * </ul>
 *
 * <p>Responses are written with non-blocking I/O (see {@link StreamClient}), so a client that stops reading costs
 * one queued snapshot and no thread. A sweep every half {@code send-time-limit} drops the streams whose write has
 * been outstanding longer than that.
 */
@RestController
public class JobStreamController implements ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(JobStreamController.class);
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final JobQueries jobs;
    private final ReadModel readModel;
    private final ScheduledExecutorService scheduler;
    private final GatewayProperties.Stream config;
    private final Set<StreamClient> open = ConcurrentHashMap.newKeySet();
    private final JobIndex<StreamClient> byJob = new JobIndex<>();
    private final AtomicLong tooSlow = new AtomicLong();
    private final ScheduledFuture<?> sweep;

    private final LongAdder pushed;
    private final Ticker ticker = Ticker.SYSTEM;
    private final CoalescingOutbox.Timer timer;

    public JobStreamController(JobQueries jobs, ReadModel readModel, ScheduledExecutorService liveScheduler,
                               GatewayProperties properties, LiveMeters meters) {
        this.jobs = jobs;
        this.pushed = meters.pushedToStreams;
        meters.connectedStreams(open::size);
        this.readModel = readModel;
        this.scheduler = liveScheduler;
        this.timer = CoalescingOutbox.Timer.of(liveScheduler);
        this.config = properties.stream();
        long every = Math.max(MIN_SWEEP_NANOS,
                Math.min(config.sendTimeLimit().toNanos(), config.heartbeatInterval().toNanos()) / 2);
        sweep = scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
        // one listener for all streams: a snapshot touches only the streams of its job
        readModel.addListener(new ReadModel.ParentListener() {
            @Override
            public void onParentProgress(ParentProgress snapshot) {
                byJob.forEach(snapshot.id(), client -> client.onParentProgress(snapshot));
            }

            @Override
            public void onParentRemoved(String parentId) {
                byJob.forEach(parentId, client -> client.onParentRemoved(parentId));
            }
        });
    }

    @GetMapping("/api/jobs/{id}/events")
    public void events(@PathVariable String id,
                       @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                       HttpServletRequest request, HttpServletResponse response) throws IOException {
        open(StreamFormat.SSE, id, parseVersion(lastEventId), request, response);
    }

    @GetMapping("/api/jobs/{id}/stream")
    public void stream(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        open(StreamFormat.NDJSON, id, null, request, response);
    }

    private void open(StreamFormat format, String id, Long lastVersion, HttpServletRequest request,
                      HttpServletResponse response) throws IOException {
        if (jobs.find(id).isEmpty()) {
            throw new NotFoundException("no job " + id);
        }
        ServletStreamOutput output = ServletStreamOutput.open(request, response, format, config.timeout());
        StreamClient client = new StreamClient(id, format, timer, ticker, config.coalesceInterval(), pushed);
        client.onClose(() -> {
            open.remove(client);
            byJob.remove(id, client);
        });
        open.add(client);
        byJob.add(id, client);
        // listening first, then the current snapshot: an update in between is queued and sent only if newer
        Optional<JobSnapshot> current = jobs.find(id);
        client.start(output, current, lastVersion);
        output.start(client);
    }

    private void sweep() {
        long now = ticker.nanos();
        long limit = config.sendTimeLimit().toNanos();
        long heartbeat = config.heartbeatInterval().toNanos();
        for (StreamClient client : open) {
            if (client.writingForNanos(now) > limit) {
                tooSlow.incrementAndGet();
                log.info("stream {} has not taken a write for {}, disconnecting it", client, config.sendTimeLimit());
                client.abort();
            } else {
                client.heartbeatIfQuiet(now, heartbeat);
            }
        }
    }

    private static Long parseVersion(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Ends every open stream when the gateway stops, so shutdown does not wait for them. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        sweep.cancel(false);
        Set.copyOf(open).forEach(StreamClient::finish);
    }

    /** Open streams (for tests and metrics). */
    public int openStreams() {
        return open.size();
    }

    /** Streams disconnected because a write to them outlasted the send time limit (for tests and metrics). */
    public long slowStreamsClosed() {
        return tooSlow.get();
    }
}

package dev.trawl.gateway.live;

import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.api.NotFoundException;
import dev.trawl.gateway.readmodel.ReadModel;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Streams of one job's snapshots over plain HTTP.
 * <ul>
 *   <li>{@code GET /api/jobs/{id}/events}: Server-Sent Events; first event {@code snapshot}, then
 *   {@code parent_job_progress}, each with {@code id:} = version; a reconnect with {@code Last-Event-ID} gets only
 *   newer versions. The stream ends after the terminal snapshot.</li>
 *   <li>{@code GET /api/jobs/{id}/stream}: {@code application/x-ndjson}, one snapshot per line as it changes,
 *   ending after the terminal snapshot.</li>
 * </ul>
 */
@RestController
public class JobStreamController implements ApplicationListener<ContextClosedEvent> {

    private final JobQueries jobs;
    private final ReadModel readModel;
    private final ScheduledExecutorService scheduler;
    private final GatewayProperties.Stream config;
    private final Set<StreamClient> open = ConcurrentHashMap.newKeySet();

    public JobStreamController(JobQueries jobs, ReadModel readModel, ScheduledExecutorService liveScheduler,
                               GatewayProperties properties) {
        this.jobs = jobs;
        this.readModel = readModel;
        this.scheduler = liveScheduler;
        this.config = properties.stream();
    }

    @GetMapping("/api/jobs/{id}/events")
    public SseEmitter events(@PathVariable String id,
                             @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        requireKnown(id);
        SseEmitter emitter = new SseEmitter(config.timeout().toMillis());
        StreamClient client = new StreamClient(id, new StreamClient.Sink() {
            @Override
            public void send(JobSnapshot snapshot, boolean first) throws IOException {
                emitter.send(SseEmitter.event()
                        .id(Long.toString(snapshot.version()))
                        .name(first ? LiveMessages.SNAPSHOT : LiveMessages.PROGRESS)
                        .data(LiveMessages.snapshotJson(snapshot), MediaType.APPLICATION_JSON));
            }

            @Override
            public void openedEmpty() throws IOException {
                // a resumed client already holds the newest version: a comment commits the headers
                emitter.send(SseEmitter.event().comment("up to date"));
            }

            @Override
            public void complete() {
                emitter.complete();
            }

            @Override
            public void fail(Exception e) {
                emitter.completeWithError(e);
            }
        }, scheduler, config.coalesceInterval());
        open(client, emitter, id, parseVersion(lastEventId));
        return emitter;
    }

    @GetMapping("/api/jobs/{id}/stream")
    public ResponseEntity<ResponseBodyEmitter> stream(@PathVariable String id) {
        requireKnown(id);
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(config.timeout().toMillis());
        StreamClient client = new StreamClient(id, new StreamClient.Sink() {
            @Override
            public void send(JobSnapshot snapshot, boolean first) throws IOException {
                emitter.send(LiveMessages.snapshotJson(snapshot) + "\n", MediaType.APPLICATION_NDJSON);
            }

            @Override
            public void complete() {
                emitter.complete();
            }

            @Override
            public void fail(Exception e) {
                emitter.completeWithError(e);
            }
        }, scheduler, config.coalesceInterval());
        open(client, emitter, id, null);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_NDJSON).body(emitter);
    }

    private void open(StreamClient client, ResponseBodyEmitter emitter, String id, Long lastVersion) {
        AutoCloseable listening = readModel.addListener(progress -> client.offer(JobSnapshot.of(progress)));
        client.onClose(() -> {
            open.remove(client);
            try {
                listening.close();
            } catch (Exception ignored) {
                // removing a listener does not fail
            }
        });
        emitter.onTimeout(client::finish);
        emitter.onCompletion(client::close);
        emitter.onError(error -> client.close());
        open.add(client);
        // listening first, then the current snapshot: an update in between is queued and sent only if newer
        client.start(jobs.find(id), lastVersion);
    }

    private void requireKnown(String id) {
        if (jobs.find(id).isEmpty()) {
            throw new NotFoundException("no job " + id);
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
        Set.copyOf(open).forEach(StreamClient::finish);
    }

    int openStreams() {
        return open.size();
    }
}

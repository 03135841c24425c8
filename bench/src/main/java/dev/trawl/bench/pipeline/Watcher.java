package dev.trawl.bench.pipeline;

import dev.trawl.api.serde.Json;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The watcher: one WebSocket client of the gateway's {@code /ws} (docs/protocol.md), subscribed to the jobs the
 * benchmark follows. It stamps each message with its arrival time (wall clock, µs) before parsing it, and keeps
 * every snapshot of each job in order.
 */
final class Watcher implements WebSocket.Listener, AutoCloseable {

    /** One snapshot as it reached the client. {@code queued} is null when the snapshot has no such field. */
    record Arrival(long atMicros, long version, String status, long pending, long running, long completed,
                   long failed, long cancelled, long total, double progress, Long queued) {

        long finished() {
            return completed + failed + cancelled;
        }

        long inFlight() {
            return pending - (queued == null ? 0 : queued) + running;
        }

        boolean terminal() {
            return switch (status) {
                case "completed", "completed_with_failures", "failed", "cancelled" -> true;
                default -> false;
            };
        }
    }

    private static final class Job {
        final List<Arrival> arrivals = new ArrayList<>();
        final CompletableFuture<Arrival> terminal = new CompletableFuture<>();
        double progressWanted = Double.NaN;
        long totalWanted;
        final CompletableFuture<Arrival> progressReached = new CompletableFuture<>();
    }

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;
    private long partialStart;

    Watcher(int gatewayPort) {
        socket = GatewayApi.HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + gatewayPort + "/ws"), this).join();
    }

    /** Subscribes to {@code jobId}; its snapshots are kept from now on. */
    synchronized void subscribe(String jobId) {
        jobs.putIfAbsent(jobId, new Job());
        socket.sendText("{\"op\":\"subscribe\",\"job_id\":\"" + jobId + "\"}", true).join();
    }

    /** Completes with the job's terminal snapshot. */
    CompletableFuture<Arrival> terminal(String jobId) {
        return jobs.get(jobId).terminal;
    }

    /**
     * Completes with the first snapshot of a running job that shows at least {@code progress} and counts at least
     * {@code total} children.
     */
    CompletableFuture<Arrival> progressReached(String jobId, double progress, long total) {
        Job job = jobs.get(jobId);
        synchronized (job) {
            job.progressWanted = progress;
            job.totalWanted = total;
            for (Arrival a : job.arrivals) {
                offer(job, a);
            }
        }
        return job.progressReached;
    }

    List<Arrival> arrivals(String jobId) {
        Job job = jobs.get(jobId);
        synchronized (job) {
            return List.copyOf(job.arrivals);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (partial.isEmpty()) {
            partialStart = nowMicros();
        }
        partial.append(data);
        if (last) {
            long at = partialStart;
            String text = partial.toString();
            partial.setLength(0);
            received(at, Json.MAPPER.readTree(text));
        }
        webSocket.request(1);
        return null;
    }

    private void received(long at, JsonNode m) {
        String type = m.path("type").asString();
        if (!"snapshot".equals(type) && !"parent_job_progress".equals(type)) {
            return;
        }
        Job job = jobs.get(m.path("job_id").asString());
        if (job == null || !m.has("version")) {
            return; // not followed, or a subscription answer for a job not known yet
        }
        Arrival a = new Arrival(at, m.path("version").asLong(), m.path("status").asString(),
                m.path("pending").asLong(), m.path("running").asLong(), m.path("completed").asLong(),
                m.path("failed").asLong(), m.path("cancelled").asLong(), m.path("total").asLong(),
                m.path("progress").asDouble(), m.hasNonNull("queued") ? m.path("queued").asLong() : null);
        synchronized (job) {
            job.arrivals.add(a);
            offer(job, a);
        }
        if (a.terminal()) {
            job.terminal.complete(a);
        }
    }

    private static void offer(Job job, Arrival a) {
        if (!a.terminal() && a.progress() >= job.progressWanted && a.total() >= job.totalWanted) {
            job.progressReached.complete(a);
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        jobs.values().forEach(j -> j.terminal.completeExceptionally(error));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        IllegalStateException closed = new IllegalStateException("the gateway closed the WebSocket: " + statusCode
                + " " + reason);
        jobs.values().forEach(j -> j.terminal.completeExceptionally(closed));
        return null;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null).join();
        }
    }
}

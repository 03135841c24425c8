package dev.trawl.bench.pipeline;

import dev.trawl.api.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/** The gateway's REST API, as far as the benchmark uses it. */
final class GatewayApi {

    /**
     * The benchmark's one HTTP client (REST and the watcher's WebSocket), on two long-lived threads of its own, so
     * that their CPU can be told from the broker's in this JVM.
     */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(2, new ThreadFactory() {
                private final AtomicInteger count = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "pipeline-bench-http-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            })).build();

    private final HttpClient http = HTTP;
    private final String api;

    GatewayApi(String api) {
        this.api = api;
    }

    /** Submits a crawl of {@code seed} and returns its id. */
    String submit(String name, String seed, int maxDepth, int maxPages) throws IOException, InterruptedException {
        String body = Json.MAPPER.writeValueAsString(Map.of("name", name, "seeds", List.of(seed),
                "max_depth", maxDepth, "max_pages", maxPages, "same_host", true));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("submission refused: " + response.statusCode() + " " + response.body());
        }
        return Json.MAPPER.readTree(response.body()).get("id").asString();
    }

    /** Asks the job to stop; returns once the gateway answered 202. */
    void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + jobId
                        + "/cancel")).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("cancel refused: " + response.statusCode() + " " + response.body());
        }
    }

    /** {@code GET /api/jobs/{id}}, or null when the gateway does not know the job (yet). */
    JsonNode job(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + jobId))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? Json.MAPPER.readTree(response.body()) : null;
    }
}

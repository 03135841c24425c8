package dev.trawl.local.cli;

import dev.trawl.api.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's REST and NDJSON surface as the CLI uses it (docs/protocol.md). The API token, when given, goes
 * as {@code Authorization: Bearer <token>} on every request, as the gateway's {@code ApiTokenFilter} expects.
 */
final class GatewayClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    GatewayClient(String base, String token) {
        this.base = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token == null || token.isBlank() ? null : token.strip();
    }

    URI base() {
        return base;
    }

    HttpResponse<String> submit(String body) throws IOException, InterruptedException {
        return send(request("/api/jobs").timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> list(String status, int size) throws IOException, InterruptedException {
        String query = "?size=" + size + (status == null ? "" : "&status=" + encode(status));
        return send(request("/api/jobs" + query).timeout(REQUEST_TIMEOUT).GET());
    }

    HttpResponse<String> cancel(String id, String body) throws IOException, InterruptedException {
        return send(request("/api/jobs/" + encode(id) + "/cancel").timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The job's NDJSON stream, one line per snapshot; no timeout, the gateway ends it after the terminal one. */
    HttpResponse<Stream<String>> stream(String id) throws IOException, InterruptedException {
        return http.send(request("/api/jobs/" + encode(id) + "/stream").header("Accept", "application/x-ndjson")
                .GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    /** The {@code detail} of a problem+json answer, else the body as it came. */
    static String detail(String body) {
        try {
            JsonNode problem = Json.MAPPER.readTree(body);
            if (problem != null && problem.hasNonNull("detail")) {
                return problem.get("detail").asString();
            }
        } catch (RuntimeException notJson) {
            // fall through: show what the gateway sent
        }
        return body == null || body.isBlank() ? "(no detail)" : body.strip();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

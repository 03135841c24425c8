package dev.trawl.testkit;

import dev.trawl.api.serde.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A real WebSocket client (java.net.http) that records every message it receives, in order. Like browsers, it
 * answers the server's pings with pongs on its own.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final HttpClient SHARED = HttpClient.newHttpClient();

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket socket;

    /** A client of {@code ws://localhost:port/ws}. */
    public WsClient(int port) {
        this(URI.create("ws://localhost:" + port + "/ws"), Map.of());
    }

    public WsClient(URI uri) {
        this(uri, Map.of());
    }

    public WsClient(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = SHARED.newWebSocketBuilder();
        headers.forEach(builder::header);
        socket = builder.buildAsync(uri, this).join();
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** Completes with the close code once the server closed the connection. */
    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    /** Waits for the first message (from now on or already received) that matches, and returns it. */
    public JsonNode await(Predicate<JsonNode> matching) {
        JsonNode[] found = new JsonNode[1];
        org.awaitility.Awaitility.await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode message : received) {
                if (matching.test(message)) {
                    found[0] = message;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Messages received so far of {@code type} about {@code jobId}, in order. */
    public List<JsonNode> messages(String type, String jobId) {
        return received.stream().filter(type(type, jobId)).toList();
    }

    public static Predicate<JsonNode> type(String type, String jobId) {
        return m -> type.equals(m.path("type").asString()) && jobId.equals(m.path("job_id").asString());
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received.add(Json.MAPPER.readTree(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null).join();
        }
    }
}

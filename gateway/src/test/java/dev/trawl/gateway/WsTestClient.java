package dev.trawl.gateway;


import dev.trawl.api.serde.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** A real WebSocket client (java.net.http) that records every message it receives, in order. */
final class WsTestClient implements WebSocket.Listener, AutoCloseable {

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    WsTestClient(int port) {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/ws"), this).join();
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** Waits for the first message (from now on or already received) that matches, and returns it. */
    JsonNode await(Predicate<JsonNode> matching) {
        JsonNode[] found = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
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

    static Predicate<JsonNode> type(String type, String jobId) {
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
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
}

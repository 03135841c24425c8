package dev.trawl.e2e;

import dev.trawl.api.serde.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;

/** A real WebSocket client of {@code /ws} that keeps every message it receives. */
final class LiveClient implements WebSocket.Listener, AutoCloseable {

    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    LiveClient(String url) {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), this).join();
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Messages of {@code type} about {@code jobId}. */
    List<JsonNode> messages(String type, String jobId) {
        return messages.stream()
                .filter(m -> type.equals(m.path("type").asString()) && jobId.equals(m.path("job_id").asString()))
                .toList();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(Json.MAPPER.readTree(partial.toString()));
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

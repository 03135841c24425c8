package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.serde.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** A Server-Sent Events client (java.net.http) that records every event it receives, in order. */
final class SseStream {

    /** An SSE event as received. */
    record Event(String name, String id, JsonNode data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ended;

    private SseStream(HttpResponse<Stream<String>> response) {
        ended = CompletableFuture.runAsync(() -> {
            List<String> block = new ArrayList<>();
            response.body().forEach(line -> {
                if (!line.isEmpty()) {
                    block.add(line);
                    return;
                }
                String name = null;
                String eventId = null;
                StringBuilder data = new StringBuilder();
                for (String field : block) {
                    if (field.startsWith("event:")) {
                        name = field.substring(6).strip();
                    } else if (field.startsWith("id:")) {
                        eventId = field.substring(3).strip();
                    } else if (field.startsWith("data:")) {
                        data.append(field.substring(5));
                    }
                }
                block.clear();
                if (name != null) {
                    events.add(new Event(name, eventId, Json.MAPPER.readTree(data.toString())));
                }
            });
        });
    }

    /** Opens {@code uri}, resuming after {@code lastEventId} when it is not null, and checks the response head. */
    static SseStream open(HttpClient http, URI uri, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10)).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
        return new SseStream(response);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** The version of the newest snapshot received, -1 before the first. */
    long lastVersion() {
        return events.stream().filter(e -> e.id() != null).mapToLong(e -> Long.parseLong(e.id())).max().orElse(-1);
    }

    /** Completes once the server ended the stream. */
    CompletableFuture<Void> ended() {
        return ended;
    }
}

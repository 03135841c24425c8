package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;

/** The gateway's REST API as a user's client calls it, plus a look at the documents topic. */
final class GatewayRest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final TrawlPipeline pipeline;

    GatewayRest(TrawlPipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** {@code POST /api/jobs} for a crawl of {@code seed}; asserts 201 and returns the job id. */
    String submitCrawl(String name, String seed, int maxDepth, int maxPages) {
        HttpResponse<String> submitted = send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(Map.of(
                        "name", name, "seeds", List.of(seed), "max_depth", maxDepth, "max_pages", maxPages))))
                .build());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        return Json.MAPPER.readTree(submitted.body()).get("id").asString();
    }

    /** {@code POST /api/jobs/{id}/cancel}; the response as it came. */
    HttpResponse<String> cancel(String jobId) {
        return send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs/" + jobId + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** {@code GET /api/jobs/{id}}; asserts 200. */
    JsonNode job(String jobId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs/" + jobId))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How often each document of {@code jobId} is in the documents topic (read to its current end). */
    Map<String, Integer> documentsOf(String jobId) {
        Map<String, Integer> counts = new HashMap<>();
        documents(jobId).forEach(d -> counts.merge(d.documentId(), 1, Integer::sum));
        return counts;
    }

    /** Every document record of {@code jobId} in the documents topic, read to its current end. */
    List<DocumentSaved> documents(String jobId) {
        List<DocumentSaved> documents = new ArrayList<>();
        readToEnd(Topics.DOCUMENTS.name(), (key, value) -> {
            DocumentSaved document = Topics.DOCUMENTS.valueSerde().deserializer().deserialize(
                    Topics.DOCUMENTS.name(), value);
            if (document != null && jobId.equals(document.parentId())) {
                documents.add(document);
            }
        });
        return documents;
    }

    /** The latest state of each child of {@code jobId} in {@code trawl.child-progress}, by child id. */
    Map<String, ChildProgress> children(String jobId) {
        Map<String, ChildProgress> children = new HashMap<>();
        readToEnd(Topics.CHILD_PROGRESS.name(), (key, value) -> {
            ChildProgress child = value == null ? null : Topics.CHILD_PROGRESS.valueSerde().deserializer()
                    .deserialize(Topics.CHILD_PROGRESS.name(), value);
            if (child != null && jobId.equals(child.parentId())) {
                children.put(child.childId(), child);
            }
        });
        return children;
    }

    private void readToEnd(String topic, BiConsumer<String, byte[]> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(pipeline.bootstrap, topic)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value());
                }
                return end.keySet().stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
    }
}

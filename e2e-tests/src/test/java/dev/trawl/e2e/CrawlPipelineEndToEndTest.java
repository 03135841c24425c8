package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.testkit.TopicReader;
import dev.trawl.testkit.WsClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The main path, end to end, with every part real: REST submit → aggregator schedules → two workers fetch a
 * generated loopback site of 250 linked pages → aggregator counts → gateway → WebSocket.
 */
class CrawlPipelineEndToEndTest {

    private static final int PAGES = 250;
    private static final int MAX_DEPTH = 50;

    private static GeneratedSite site;
    private static TrawlPipeline pipeline;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        site = GeneratedSite.start(PAGES, 20);
        pipeline = TrawlPipeline.shared();
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    @Test
    void aCrawlOfAGeneratedSiteEndsWithExactCountsAndTheWebSocketSawEveryVersionInOrder() throws Exception {
        int expectedPages = site.reachablePages(MAX_DEPTH);
        int expectedMissing = site.reachableMissing(MAX_DEPTH);
        assertThat(expectedPages).isEqualTo(PAGES);
        assertThat(expectedMissing).isPositive();

        try (WsClient live = new WsClient(URI.create(pipeline.ws))) {
            live.send("{\"op\":\"subscribe\",\"job_id\":\"*\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !live.received().isEmpty());

            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(Map.of(
                            "name", "e2e", "seeds", List.of(site.seedUrl()),
                            "max_depth", MAX_DEPTH, "max_pages", 5000))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).isEqualTo(201);
            String jobId = Json.MAPPER.readTree(submitted.body()).get("id").asString();

            JsonNode[] finalSnapshot = new JsonNode[1];
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs/"
                        + jobId)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return false;
                }
                finalSnapshot[0] = Json.MAPPER.readTree(r.body());
                return List.of("completed", "completed_with_failures", "failed", "cancelled")
                        .contains(finalSnapshot[0].get("status").asString());
            });
            JsonNode done = finalSnapshot[0];
            assertThat(done.get("status").asString()).isEqualTo("completed");
            assertThat(done.get("completed").asLong()).isEqualTo(expectedPages);
            assertThat(done.get("document_count").asLong()).isEqualTo(expectedPages);
            assertThat(done.get("failed").asLong()).isEqualTo(expectedMissing);
            assertThat(done.get("pending").asLong()).isZero();
            assertThat(done.get("running").asLong()).isZero();
            assertThat(done.get("total").asLong()).isEqualTo(expectedPages + expectedMissing);
            assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
            assertThat(done.get("progress_text").asString())
                    .isEqualTo("0 pending, 0 running, " + expectedPages + " completed, " + expectedMissing + " failed");

            // every failed child is a 404 with its reason
            HttpResponse<String> failed = http.send(HttpRequest.newBuilder(URI.create(pipeline.api + "/api/jobs/"
                    + jobId + "/children?status=failed")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(failed.statusCode()).isEqualTo(200);
            assertThat(failed.body()).contains("http 404").contains("/missing/");

            // each page is in the documents topic exactly once for this job
            Map<String, Integer> documents = documentsOf(jobId, expectedPages);
            assertThat(documents).hasSize(expectedPages);
            assertThat(documents.values()).allMatch(n -> n == 1);

            // the WebSocket subscriber saw strictly increasing versions and ends on the final snapshot
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<JsonNode> updates = live.messages("parent_job_progress", jobId);
                return !updates.isEmpty() && updates.get(updates.size() - 1).get("version").asLong()
                        == done.get("version").asLong();
            });
            List<JsonNode> updates = live.messages("parent_job_progress", jobId);
            for (int i = 1; i < updates.size(); i++) {
                assertThat(updates.get(i).get("version").asLong())
                        .isGreaterThan(updates.get(i - 1).get("version").asLong());
            }
            JsonNode last = updates.get(updates.size() - 1);
            assertThat(last.get("status").asString()).isEqualTo("completed");
            assertThat(last.get("completed").asLong()).isEqualTo(expectedPages);
            assertThat(last.get("document_count").asLong()).isEqualTo(expectedPages);
            assertThat(updates.size()).isGreaterThan(2);
        }
    }

    /** Counts the committed documents of {@code jobId} per document id, reading until {@code expected} are seen. */
    private static Map<String, Integer> documentsOf(String jobId, int expected) {
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(pipeline.bootstrap,
                Topics.DOCUMENTS.name())) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    DocumentSaved document = Topics.DOCUMENTS.valueSerde().deserializer().deserialize(r.topic(),
                            r.value());
                    if (document.parentId().equals(jobId)) {
                        assertThat(document.markdown()).contains("# Page");
                        counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                }
                return end.keySet().stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        assertThat(counts).hasSizeGreaterThanOrEqualTo(expected);
        return counts;
    }
}

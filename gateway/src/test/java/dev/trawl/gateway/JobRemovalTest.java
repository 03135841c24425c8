package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.WsClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/** A tombstone on trawl.parent-progress deletes the job: live clients are told, and the views forget it. */
@Timeout(60)
class JobRemovalTest extends GatewayIntegrationTest {

    @Test
    void webSocketSubscribersOfTheJobAndOfAllJobsAreToldItWasRemoved() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        awaitStatus(id, 200);

        try (WsClient one = new WsClient(port); WsClient all = new WsClient(port)) {
            one.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            all.send("{\"op\":\"subscribe\",\"job_id\":\"*\"}");
            one.await(type("snapshot", id));
            all.await(type("snapshot", "*"));

            publishTombstone(id);

            assertThat(one.await(type("removed", id)).size()).isEqualTo(2); // type and job_id, nothing else
            all.await(type("removed", id));
            awaitStatus(id, 404);

            // a job that appears again under the same id is news to its subscribers, from its first version on
            publish(progress(id, 1, JobStatus.RUNNING));
            JsonNode again = one.await(type("parent_job_progress", id));
            assertThat(again.get("version").longValue()).isEqualTo(1);
            List<String> types = one.received().stream().filter(m -> id.equals(m.path("job_id").asString()))
                    .map(m -> m.get("type").asString()).toList();
            assertThat(types).containsExactly("snapshot", "removed", "parent_job_progress");
        }
    }

    @Test
    void sseStreamGetsARemovedEventAndEnds() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        awaitStatus(id, 200);
        SseStream sse = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), null);
        await().until(() -> sse.events().size() == 1);

        publishTombstone(id);

        sse.ended().get(20, TimeUnit.SECONDS);
        assertThat(sse.events()).extracting(SseStream.Event::name).containsExactly("snapshot", "removed");
        SseStream.Event removed = sse.events().get(1);
        assertThat(removed.id()).isNull();
        assertThat(removed.data().get("type").asString()).isEqualTo("removed");
        assertThat(removed.data().get("job_id").asString()).isEqualTo(id);
    }

    @Test
    void ndjsonStreamEndsWithALineSayingTheJobWasRemoved() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        awaitStatus(id, 200);
        List<JsonNode> lines = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(uri("/api/jobs/" + id + "/stream"))
                .GET().build(), HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> ended = CompletableFuture.runAsync(
                () -> response.body().forEach(line -> lines.add(json(line))));
        await().until(() -> lines.size() == 1);

        publishTombstone(id);

        ended.get(20, TimeUnit.SECONDS);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("version").longValue()).isEqualTo(1);
        assertThat(lines.get(1).get("type").asString()).isEqualTo("removed");
        assertThat(lines.get(1).get("job_id").asString()).isEqualTo(id);
    }

    @Test
    void aRemovedJobTakesItsChildrenDocumentsAndLogWithIt() throws Exception {
        String id = Ids.newParentId();
        String url = "https://example.org/a";
        String childId = Ids.childId(id, url);
        String documentId = Ids.documentId(id, url);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = rawProducer()) {
            producer.send(new ProducerRecord<>(Topics.CHILD_PROGRESS.name(), childId, Topics.CHILD_PROGRESS
                    .valueSerde().serializer().serialize("", new ChildProgress(childId, id, url, 0,
                            ChildStatus.COMPLETED, 1, null, null, 200, documentId, now)))).get();
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), documentId, Topics.DOCUMENTS.valueSerde()
                    .serializer().serialize("", new DocumentSaved(documentId, id, childId, url, url, null, "A", "en",
                            "# A", "h", 200, 3, false, now)))).get();
        }
        publish(progress(id, 2, JobStatus.COMPLETED));
        await().until(() -> get("/api/documents/" + documentId, "application/json").statusCode() == 200
                && json(get("/api/jobs/" + id + "/log", "application/json").body()).path("items").size() == 1
                && json(get("/api/jobs/" + id + "/children", "application/json").body()).path("total").asLong() == 1);

        publishTombstone(id);

        awaitStatus(id, 404);
        for (String view : List.of("/children", "/documents", "/log")) {
            assertThat(get("/api/jobs/" + id + view, "application/json").statusCode()).as(view).isEqualTo(404);
        }
        assertThat(get("/api/documents/" + documentId, "application/json").statusCode()).isEqualTo(404);
        assertThat(json(get("/api/jobs?size=1000", "application/json").body()).get("items").findValuesAsString("id"))
                .doesNotContain(id);
    }

    private void awaitStatus(String id, int status) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/jobs/" + id, "application/json").statusCode() == status);
    }

    private static KafkaProducer<String, byte[]> rawProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}

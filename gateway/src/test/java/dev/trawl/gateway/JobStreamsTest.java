package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/** SSE and NDJSON streams of one job: first snapshot, newer ones as they come, end after the terminal one. */
@Timeout(60)
class JobStreamsTest extends GatewayIntegrationTest {

    @Test
    void ndjsonStreamSendsOneSnapshotPerLineAndEndsAfterTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        awaitKnown(id);

        List<JsonNode> lines = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(uri("/api/jobs/" + id + "/stream"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).get().asString()
                .startsWith("application/x-ndjson");
        CompletableFuture<Void> ended = CompletableFuture.runAsync(
                () -> response.body().forEach(line -> lines.add(json(line))));

        await().until(() -> lines.size() == 1);
        publish(progress(id, 2, JobStatus.RUNNING));
        publish(progress(id, 3, JobStatus.COMPLETED));

        ended.get(10, TimeUnit.SECONDS);
        List<Long> versions = lines.stream().map(l -> l.get("version").longValue()).toList();
        assertThat(versions).first().isEqualTo(1L);
        assertThat(versions).isSorted().doesNotHaveDuplicates().last().isEqualTo(3L);
        assertThat(lines.get(lines.size() - 1).get("status").asString()).isEqualTo("completed");
    }

    @Test
    void ndjsonStreamOfAFinishedJobIsItsTerminalSnapshotAlone() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.CANCELLED));
        awaitKnown(id);

        HttpResponse<String> response = get("/api/jobs/" + id + "/stream", "application/x-ndjson");

        assertThat(response.body().lines().toList()).singleElement()
                .satisfies(line -> assertThat(json(line).get("status").asString()).isEqualTo("cancelled"));
    }

    @Test
    void sseSendsASnapshotThenProgressEventsAndEndsAfterTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        awaitKnown(id);

        SseStream sse = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), null);
        await().until(() -> sse.events().size() == 1);
        publish(progress(id, 2, JobStatus.RUNNING));
        publish(progress(id, 3, JobStatus.COMPLETED_WITH_FAILURES));

        sse.ended().get(10, TimeUnit.SECONDS);
        List<SseStream.Event> events = sse.events();
        assertThat(events.get(0).name()).isEqualTo("snapshot");
        assertThat(events.get(0).id()).isEqualTo("1");
        assertThat(events.subList(1, events.size())).extracting(SseStream.Event::name)
                .containsOnly("parent_job_progress");
        assertThat(events).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates()
                .last().isEqualTo(3L);
        assertThat(events.get(events.size() - 1).data().get("status").asString())
                .isEqualTo("completed_with_failures");
    }

    @Test
    void sseResumedWithLastEventIdSendsOnlyNewerSnapshots() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        publish(progress(id, 2, JobStatus.RUNNING));
        awaitKnown(id);
        await().until(() -> json(get("/api/jobs/" + id, "application/json").body()).get("version").longValue() == 2);

        SseStream upToDate = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), "2");
        SseStream behind = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), "1");
        await().until(() -> behind.events().size() == 1);
        publish(progress(id, 3, JobStatus.COMPLETED));

        upToDate.ended().get(10, TimeUnit.SECONDS);
        behind.ended().get(10, TimeUnit.SECONDS);
        assertThat(upToDate.events()).extracting(SseStream.Event::id).containsExactly("3");
        assertThat(behind.events()).extracting(SseStream.Event::name).first().isEqualTo("snapshot");
        assertThat(behind.events()).extracting(SseStream.Event::id).containsExactly("2", "3");
    }

    @Test
    void streamsOfAnUnknownJobAreNotFound() throws Exception {
        String id = Ids.newParentId();
        SubmitJobTest.assertProblem(get("/api/jobs/" + id + "/events", "text/event-stream"), 404, id);
        SubmitJobTest.assertProblem(get("/api/jobs/" + id + "/stream", "application/x-ndjson"), 404, id);
    }

    private void awaitKnown(String id) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/jobs/" + id, "application/json").statusCode() == 200);
    }
}

package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.id.Ids;
import dev.trawl.testkit.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Parent snapshots written to trawl.parent-progress reach REST and WebSocket clients through the read model. */
class LiveProgressTest extends GatewayIntegrationTest {

    @Autowired
    private MeterRegistry meters;

    @Test
    void subscriberGetsASnapshotThenStrictlyIncreasingVersionsEndingOnTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            JsonNode first = client.await(type("snapshot", id));
            assertThat(first.get("found").booleanValue()).isFalse();

            // replayed older snapshots (2 and 1 after 3) must never reach a client
            for (long version : new long[] {1, 2, 3, 2, 1, 4}) {
                publish(progress(id, version, JobStatus.RUNNING));
            }
            publish(progress(id, 5, JobStatus.COMPLETED));

            client.await(m -> type("parent_job_progress", id).test(m) && m.get("version").longValue() == 5);
            List<JsonNode> messages = client.received();
            assertThat(messages.get(0).get("type").asString()).isEqualTo("snapshot");
            List<Long> versions = messages.stream().filter(type("parent_job_progress", id))
                    .map(m -> m.get("version").longValue()).toList();
            assertThat(versions).isSorted().doesNotHaveDuplicates().last().isEqualTo(5L);
            List<JsonNode> progress = client.messages("parent_job_progress", id);
            JsonNode last = progress.get(progress.size() - 1); // a heartbeat may follow it
            assertThat(last.get("status").asString()).isEqualTo("completed");
            assertThat(last.get("id").asString()).isEqualTo(id);
            assertThat(last.get("progress_text").asString()).isEqualTo("0 pending, 0 running, 4 completed, 0 failed");
        }
        JsonNode job = json(get("/api/jobs/" + id, "application/json").body());
        assertThat(job.get("version").longValue()).isEqualTo(5);
        assertThat(job.get("document_count").longValue()).isEqualTo(4);
    }

    @Test
    void sendCompletionsRunOnTheSendingThreadInsteadOfTomcatsExecutor() throws Exception {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            client.await(type("snapshot", id));
            double inlineBefore = completions("inline");
            double dispatchedBefore = completions("dispatched");
            for (long version = 1; version <= 20; version++) {
                publish(progress(id, version, JobStatus.RUNNING));
                long expected = version;
                client.await(m -> type("parent_job_progress", id).test(m) && m.get("version").longValue() == expected);
            }
            // each of the 20 updates was one send, completed on the thread that wrote it
            assertThat(completions("inline") - inlineBefore).isGreaterThanOrEqualTo(20);
            assertThat(completions("dispatched") - dispatchedBefore).isZero();
        }
    }

    private double completions(String ran) {
        return meters.get("trawl.gateway.ws.send.completions").tag("ran", ran).functionCounter().count();
    }

    @Test
    void subscribingToAKnownJobAnswersWithItsLatestSnapshot() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        publish(progress(id, 2, JobStatus.RUNNING));
        awaitVersion(id, 2);

        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            JsonNode snapshot = client.await(type("snapshot", id));

            assertThat(snapshot.get("found").booleanValue()).isTrue();
            assertThat(snapshot.get("version").longValue()).isEqualTo(2);
            assertThat(snapshot.get("status").asString()).isEqualTo("running");
        }
    }

    @Test
    void resumingWithSinceVersionSendsOnlyNewerVersions() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        publish(progress(id, 2, JobStatus.RUNNING));
        awaitVersion(id, 2);

        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\",\"since_version\":2}");
            JsonNode snapshot = client.await(type("snapshot", id));
            assertThat(snapshot.get("up_to_date").booleanValue()).isTrue();

            publish(progress(id, 3, JobStatus.COMPLETED));
            JsonNode update = client.await(type("parent_job_progress", id));
            assertThat(update.get("version").longValue()).isEqualTo(3);
        }
    }

    @Test
    void unknownOpAndBadJsonGetAnErrorAndTheConnectionKeepsWorking() throws Exception {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"dance\",\"job_id\":\"" + id + "\"}");
            JsonNode error = client.await(m -> "error".equals(m.path("type").asString()));
            assertThat(error.get("message").asString()).contains("dance");

            client.send("not json");
            await().until(() -> client.received().stream()
                    .filter(m -> "error".equals(m.path("type").asString())).count() == 2);

            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            client.await(type("snapshot", id));
            publish(progress(id, 1, JobStatus.RUNNING));
            client.await(type("parent_job_progress", id));
        }
    }

    @Test
    void wildcardSubscriberGetsEveryJobThenUpdatesOfNewOnes() throws Exception {
        String known = Ids.newParentId();
        publish(progress(known, 1, JobStatus.RUNNING));
        awaitVersion(known, 1);

        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"*\"}");
            JsonNode all = client.await(type("snapshot", "*"));
            assertThat(all.get("jobs").findValuesAsString("id")).contains(known);

            String later = Ids.newParentId();
            publish(progress(later, 1, JobStatus.RUNNING));
            client.await(type("parent_job_progress", later));

            client.send("{\"op\":\"unsubscribe\",\"job_id\":\"*\"}");
            client.await(type("unsubscribed", "*"));
        }
    }

    @Test
    void getJobReturnsTheLatestSnapshotAndUnknownJobIsNotFound() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        publish(progress(id, 2, JobStatus.RUNNING));
        awaitVersion(id, 2);

        JsonNode job = json(get("/api/jobs/" + id, "application/json").body());
        assertThat(job.get("id").asString()).isEqualTo(id);
        assertThat(job.get("progress_text").asString()).isEqualTo("2 pending, 1 running, 1 completed, 0 failed");
        assertThat(job.has("eta_seconds")).isTrue();
        assertThat(job.get("created_at").asString()).isEqualTo("2026-01-01T00:00:00Z");

        SubmitJobTest.assertProblem(get("/api/jobs/" + Ids.newParentId(), "application/json"), 404, "no job");

        JsonNode running = json(get("/api/jobs?status=running&size=1000", "application/json").body());
        assertThat(running.get("items").findValuesAsString("id")).contains(id);
        assertThat(running.get("items").findValuesAsString("status")).containsOnly("running");
        SubmitJobTest.assertProblem(get("/api/jobs?status=sleeping", "application/json"), 400, "status");
        SubmitJobTest.assertProblem(get("/api/jobs?size=0", "application/json"), 400, "size");
    }

    @Test
    void aReportedJobShowsItsJobTypeAndFineGrainedActivity() throws Exception {
        String id = Ids.newParentId();
        ParentProgress base = progress(id, 1, JobStatus.RUNNING);
        publish(new ParentProgress(base.id(), "Scan", base.status(), base.pending(), base.running(), base.completed(),
                base.failed(), base.cancelled(), base.total(), 0, 0, base.progress(), null, base.progressText(),
                base.createdAt(), base.startedAt(), base.updatedAt(), null, null, 1, "library-scan",
                ProgressDetail.of("c1", 3, 12, "reading classes", "lib.jar")));
        awaitVersion(id, 1);

        JsonNode job = json(get("/api/jobs/" + id, "application/json").body());
        assertThat(job.get("job_type").asString()).isEqualTo("library-scan");
        assertThat(job.get("activity").get("percentage").asDouble()).isEqualTo(25.0);
        assertThat(job.get("activity").get("message").asString()).isEqualTo("reading classes");
        JsonNode crawl = json(get("/api/jobs?size=1000", "application/json").body());
        assertThat(crawl.get("items").findValuesAsString("job_type")).contains("crawl", "library-scan");
    }

    @Test
    void dashboardIsServedAtTheRootWithItsScript() throws Exception {
        var page = get("/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"app.js\">");
        assertThat(get("/app.js", "*/*").body()).contains("op: 'subscribe', job_id: '*'");
    }

    private void awaitVersion(String id, long version) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var response = get("/api/jobs/" + id, "application/json");
            return response.statusCode() == 200 && json(response.body()).get("version").longValue() == version;
        });
    }
}

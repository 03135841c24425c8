package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.WsClient;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The job log: recent child transitions over REST and to WebSocket clients that subscribe with detail. */
class JobLogTest extends GatewayIntegrationTest {

    @Test
    void logListsChildTransitionsInOrderAndSkipsRecordsThatChangeNothing() throws Exception {
        String parent = Ids.newParentId();
        String url = "https://example.org/a";
        String child = Ids.childId(parent, url);
        publish(progress(parent, 1, JobStatus.RUNNING));
        send(child(parent, url, ChildStatus.PENDING, 0, null));
        send(child(parent, url, ChildStatus.RUNNING, 1, null));
        send(child(parent, url, ChildStatus.RUNNING, 1, null)); // a duplicate: no transition
        send(child(parent, url, ChildStatus.COMPLETED, 1, null));

        await().until(() -> json(get("/api/jobs/" + parent + "/log", "application/json").body())
                .path("items").size() == 3);
        JsonNode log = json(get("/api/jobs/" + parent + "/log", "application/json").body());
        assertThat(log.get("job_id").asString()).isEqualTo(parent);
        assertThat(log.get("items").findValuesAsString("status")).containsExactly("pending", "running", "completed");
        assertThat(log.get("items").findValuesAsString("child_id")).containsOnly(child);
        assertThat(log.get("items").findValues("seq")).extracting(JsonNode::longValue).containsExactly(1L, 2L, 3L);
        assertThat(json(get("/api/jobs/" + parent + "/log?limit=1", "application/json").body())
                .get("items").findValuesAsString("status")).containsExactly("completed");
        SubmitJobTest.assertProblem(get("/api/jobs/" + parent + "/log?limit=0", "application/json"), 400, "limit");
        SubmitJobTest.assertProblem(get("/api/jobs/" + Ids.newParentId() + "/log", "application/json"), 404, "no job");
    }

    @Test
    void detailSubscriberGetsTheRecentLogThenEachNewTransition() throws Exception {
        String parent = Ids.newParentId();
        publish(progress(parent, 1, JobStatus.RUNNING));
        send(child(parent, "https://example.org/1", ChildStatus.PENDING, 0, null));
        await().until(() -> json(get("/api/jobs/" + parent + "/log", "application/json").body())
                .path("items").size() == 1);

        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + parent + "\",\"detail\":true}");
            client.await(type("snapshot", parent));
            JsonNode recent = client.await(type("job_log", parent));
            assertThat(recent.get("items").findValuesAsString("url")).containsExactly("https://example.org/1");

            send(child(parent, "https://example.org/1", ChildStatus.FAILED, 1, "http 404"));
            JsonNode failed = client.await(m -> type("child_progress", parent).test(m)
                    && "failed".equals(m.path("status").asString()));
            assertThat(failed.get("reason").asString()).isEqualTo("http 404");
            assertThat(failed.get("reason_class").asString()).isEqualTo("error");
            assertThat(failed.get("seq").longValue()).isEqualTo(2);
            List<JsonNode> transitions = client.received().stream().filter(type("child_progress", parent)).toList();
            assertThat(transitions).hasSize(1); // the pending entry came in job_log, not twice

            client.send("{\"op\":\"subscribe\",\"job_id\":\"*\",\"detail\":true}");
            client.await(m -> "error".equals(m.path("type").asString()));
        }
    }

    private static ChildProgress child(String parent, String url, ChildStatus status, int attempt, String reason) {
        return new ChildProgress(Ids.childId(parent, url), parent, url, 1, status, attempt, reason,
                reason == null ? null : ReasonClass.ERROR, reason == null ? null : 404, null, Instant.now());
    }

    private static void send(ChildProgress child) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        try (KafkaProducer<String, ChildProgress> producer = new KafkaProducer<>(props,
                Topics.CHILD_PROGRESS.keySerde().serializer(), Topics.CHILD_PROGRESS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.CHILD_PROGRESS.name(), child.childId(), child)).get();
        }
    }
}

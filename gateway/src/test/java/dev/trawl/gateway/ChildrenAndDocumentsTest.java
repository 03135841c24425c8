package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Children and documents views come from trawl.child-progress and trawl.documents; bad records are skipped. */
class ChildrenAndDocumentsTest extends GatewayIntegrationTest {

    @Test
    void childrenAndDocumentsOfAJobAreListedAndADocumentIsServedAsJsonOrMarkdown() throws Exception {
        String parent = Ids.newParentId();
        String documentId = publishOkAndMissingChild(parent);
        publish(progress(parent, 1, JobStatus.RUNNING));

        await().until(() -> json(get("/api/jobs/" + parent + "/documents", "application/json").body())
                .path("total").longValue() == 1);

        JsonNode failed = json(get("/api/jobs/" + parent + "/children?status=failed", "application/json").body());
        assertThat(failed.get("total").longValue()).isEqualTo(1);
        JsonNode child = failed.get("items").get(0);
        assertThat(child.get("url").asString()).isEqualTo(MISSING_URL);
        assertThat(child.get("reason").asString()).isEqualTo("http 404");
        assertThat(child.get("reason_class").asString()).isEqualTo("error");
        assertThat(json(get("/api/jobs/" + parent + "/children", "application/json").body())
                .get("total").longValue()).isEqualTo(2);

        JsonNode documents = json(get("/api/jobs/" + parent + "/documents", "application/json").body());
        assertThat(documents.get("items").get(0).get("title").asString()).isEqualTo("OK page");
        assertThat(documents.get("items").get(0).has("markdown")).isFalse();

        JsonNode document = json(get("/api/documents/" + documentId, "application/json").body());
        assertThat(document.get("markdown").asString()).isEqualTo("# OK\n\nbody");
        var markdown = get("/api/documents/" + documentId, "text/markdown");
        assertThat(markdown.headers().firstValue("Content-Type")).get().asString().startsWith("text/markdown");
        assertThat(markdown.body()).isEqualTo("# OK\n\nbody");

        try (KafkaProducer<String, byte[]> producer = rawProducer()) {
            send(producer, Topics.DOCUMENTS.name(), documentId, null); // tombstone
        }
        await().until(() -> get("/api/documents/" + documentId, "application/json").statusCode() == 404);
        SubmitJobTest.assertProblem(get("/api/documents/" + documentId, "text/markdown"), 404, documentId);
    }

    @Test
    void unreadableRecordsAreCountedAndSkippedWithoutStoppingTheReadModel() throws Exception {
        String parent = Ids.newParentId();
        try (KafkaProducer<String, byte[]> producer = rawProducer()) {
            send(producer, Topics.PARENT_PROGRESS.name(), parent, "{not json".getBytes(StandardCharsets.UTF_8));
            send(producer, Topics.PARENT_PROGRESS.name(), parent, "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        }
        publish(progress(parent, 1, JobStatus.RUNNING));

        await().until(() -> get("/api/jobs/" + parent, "application/json").statusCode() == 200);
        JsonNode health = json(get("/actuator/health", "application/json").body());
        JsonNode readModel = health.path("components").path("readModel");
        assertThat(readModel.path("status").asString()).isEqualTo("UP");
        assertThat(readModel.path("details").path("unreadable_records").longValue()).isGreaterThanOrEqualTo(2);
    }

    private static KafkaProducer<String, byte[]> rawProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
}

package dev.trawl.gateway;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One gateway on the JVM's shared embedded broker for every test class (same configuration, so Spring's context
 * cache starts it once). Tests use unique parent ids, never shared state.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class GatewayIntegrationTest {

    protected static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KafkaProducer<String, ParentProgress> progressProducer;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("trawl.kafka.bootstrap-servers", () -> EmbeddedBroker.shared().bootstrapServers());
    }

    @BeforeAll
    static void producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        progressProducer = new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }

    @AfterAll
    static void closeProducer() {
        progressProducer.close();
    }

    /** Writes {@code snapshot} to the parent-progress topic as the aggregator would, and waits for the ack. */
    protected static void publish(ParentProgress snapshot) {
        try {
            progressProducer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), snapshot.id(), snapshot)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static final String OK_URL = "https://example.org/ok";
    protected static final String MISSING_URL = "https://example.org/missing";

    /**
     * Writes what a crawl of {@code parent} leaves on the topics for two pages, as the aggregator and a worker would:
     * {@link #OK_URL} completed with its document ("# OK\n\nbody"), {@link #MISSING_URL} failed with "http 404".
     *
     * @return the document's id
     */
    protected static String publishOkAndMissingChild(String parent) {
        String documentId = Ids.documentId(parent, OK_URL);
        Instant now = Instant.now();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var children = new KafkaProducer<>(props, Topics.CHILD_PROGRESS.keySerde().serializer(),
                Topics.CHILD_PROGRESS.valueSerde().serializer());
             var documents = new KafkaProducer<>(props, Topics.DOCUMENTS.keySerde().serializer(),
                     Topics.DOCUMENTS.valueSerde().serializer())) {
            children.send(new ProducerRecord<>(Topics.CHILD_PROGRESS.name(), Ids.childId(parent, OK_URL),
                    new ChildProgress(Ids.childId(parent, OK_URL), parent, OK_URL, 0, ChildStatus.COMPLETED, 1, null,
                            null, 200, documentId, now))).get();
            children.send(new ProducerRecord<>(Topics.CHILD_PROGRESS.name(), Ids.childId(parent, MISSING_URL),
                    new ChildProgress(Ids.childId(parent, MISSING_URL), parent, MISSING_URL, 1, ChildStatus.FAILED,
                            1, "http 404", ReasonClass.ERROR, 404, null, now))).get();
            documents.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), documentId, new DocumentSaved(documentId,
                    parent, Ids.childId(parent, OK_URL), OK_URL, OK_URL, null, "OK page", "en", "# OK\n\nbody",
                    "abc", 200, 42, false, now))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return documentId;
    }

    /** Writes a tombstone for {@code id} to the parent-progress topic (the job is deleted), and waits for the ack. */
    protected static void publishTombstone(String id) {
        try {
            progressProducer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, null)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A snapshot of {@code id} at {@code version}: running below 5 children done, then completed. */
    protected static ParentProgress progress(String id, long version, JobStatus status) {
        long total = 4;
        long completed = Math.min(version - 1, total);
        long running = status.isTerminal() ? 0 : 1;
        long pending = Math.max(0, total - completed - running);
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        return new ParentProgress(id, "test " + id, status, pending, running, completed, 0, 0, total, completed,
                completed * 100, (double) completed / total, status.isTerminal() ? null : 10L,
                ProgressText.format(pending, running, completed, 0), created, created, created.plusSeconds(version),
                status.isTerminal() ? created.plusSeconds(version) : null, null, version);
    }

    protected URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    protected HttpResponse<String> get(String path, String accept) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected static JsonNode json(String body) {
        return Json.MAPPER.readTree(body);
    }
}

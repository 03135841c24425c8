package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.testkit.EmbeddedBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A finished job's children leave the heap after {@code finished-children-in-heap} (1 s here) and are read back
 * from {@code trawl.child-progress}: the children view answers exactly as before, and later records still count.
 */
@TestPropertySource(properties = "trawl.gateway.read-model.finished-children-in-heap=1s")
class EvictedChildrenTest extends GatewayIntegrationTest {

    private static final List<String> QUERIES = List.of("?size=1000", "?status=failed", "?status=completed",
            "?page=1&size=7", "?page=3&size=7", "?status=running&size=2");

    @Autowired
    private ReadModel readModel;

    @Test
    void aFinishedJobsChildrenAreServedIdenticallyAfterEvictionAndLaterRecordsStillApply() throws Exception {
        String parent = Ids.newParentId();
        List<ChildProgress> children = new ArrayList<>();
        try (KafkaProducer<String, ChildProgress> producer = childProducer()) {
            for (int i = 0; i < 40; i++) {
                String url = "https://example.org/page/" + i;
                ChildStatus status = i % 5 == 0 ? ChildStatus.FAILED : i % 7 == 0 ? ChildStatus.RUNNING
                        : ChildStatus.COMPLETED;
                // an earlier state of every child first: the index must point at the latest record
                send(producer, child(parent, url, i % 3, ChildStatus.PENDING, 0));
                children.add(child(parent, url, i % 3, status, 1));
            }
            for (ChildProgress child : children) {
                send(producer, child);
            }
            send(producer, children.get(39).childId(), null); // deleted while held
        }
        publish(progress(parent, 1, JobStatus.RUNNING));
        await().until(() -> total(parent, "?status=completed") == 27 && total(parent, "") == 39);

        List<JsonNode> held = answers(parent);
        assertThat(readModel.childrenEvicted(parent)).isFalse();
        assertThat(held.get(0).get("items").findValuesAsString("status"))
                .containsOnly("completed", "failed", "running");

        publish(finished(parent, 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> readModel.childrenEvicted(parent));
        assertThat(readModel.heldChildren(parent)).isEmpty();
        assertThat(answers(parent)).isEqualTo(held);

        ChildProgress retried = children.get(5);
        ChildProgress late = child(parent, "https://example.org/late", 2, ChildStatus.COMPLETED, 1);
        try (KafkaProducer<String, ChildProgress> producer = childProducer()) {
            send(producer, child(parent, retried.url(), retried.depth(), ChildStatus.COMPLETED, 2));
            send(producer, late);
            send(producer, children.get(1).childId(), null); // retention deletes an evicted child
        }
        await().until(() -> total(parent, "?status=failed") == 7 && total(parent, "?status=completed") == 28
                && total(parent, "") == 39);
        JsonNode all = json(get("/api/jobs/" + parent + "/children?size=1000", "application/json").body());
        assertThat(all.get("total").longValue()).isEqualTo(39);
        assertThat(all.get("items").findValuesAsString("id"))
                .contains(late.childId(), retried.childId())
                .doesNotContain(children.get(1).childId(), children.get(39).childId())
                .doesNotHaveDuplicates();
        assertThat(readModel.childrenEvicted(parent)).isTrue();
        assertThat(readModel.heldChildren(parent)).isEmpty();
    }

    private List<JsonNode> answers(String parent) throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        for (String query : QUERIES) {
            answers.add(json(get("/api/jobs/" + parent + "/children" + query, "application/json").body()));
        }
        return answers;
    }

    private long total(String parent, String query) throws Exception {
        return json(get("/api/jobs/" + parent + "/children" + query, "application/json").body()).path("total")
                .longValue();
    }

    /** A terminal snapshot that finished just now, so the eviction waits for the configured while. */
    private static ParentProgress finished(String parent, long version) {
        ParentProgress p = progress(parent, version, JobStatus.COMPLETED_WITH_FAILURES);
        return new ParentProgress(p.id(), p.name(), p.status(), p.pending(), p.running(), p.completed(), p.failed(),
                p.cancelled(), p.total(), p.documentCount(), p.bytes(), p.progress(), p.etaSeconds(),
                p.progressText(), p.createdAt(), p.startedAt(), Instant.now(), Instant.now(), p.warning(), p.version(),
                p.jobType(), p.activity());
    }

    private static ChildProgress child(String parent, String url, int depth, ChildStatus status, int attempt) {
        boolean failed = status == ChildStatus.FAILED;
        return new ChildProgress(Ids.childId(parent, url), parent, url, depth, status, attempt,
                failed ? "http 404" : null, failed ? ReasonClass.ERROR : null, failed ? 404 : 200,
                status == ChildStatus.COMPLETED ? Ids.documentId(parent, url) : null,
                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(depth * 100L + attempt));
    }

    private static KafkaProducer<String, ChildProgress> childProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, Topics.CHILD_PROGRESS.keySerde().serializer(),
                Topics.CHILD_PROGRESS.valueSerde().serializer());
    }

    private static void send(KafkaProducer<String, ChildProgress> producer, ChildProgress child) throws Exception {
        send(producer, child.childId(), child);
    }

    private static void send(KafkaProducer<String, ChildProgress> producer, String key, ChildProgress child)
            throws Exception {
        producer.send(new ProducerRecord<>(Topics.CHILD_PROGRESS.name(), key, child)).get();
    }
}

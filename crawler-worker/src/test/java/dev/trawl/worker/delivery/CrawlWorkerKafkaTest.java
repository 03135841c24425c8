package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker against a real embedded broker and a real loopback site. */
class CrawlWorkerKafkaTest {

    private static EmbeddedBroker broker;
    private static GeneratedSite site;
    private static CrawlWorker worker;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startWorker() {
        broker = EmbeddedBroker.shared();
        site = GeneratedSite.start(20, 5);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        WorkerSettings settings = WorkerSettings.defaults(broker.bootstrapServers())
                .withGroupId("crawl-worker-test-" + UUID.randomUUID())
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                .withPolitenessDelay(Duration.ZERO)
                .withMaxInFlight(4);
        worker = new CrawlWorker(settings).start();
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
        producer.close();
        site.close();
    }

    @Test
    void reportsRunningThenLinksThenCompletedWithTheDocumentAndFailsAMissingPage() {
        String parentId = Ids.newParentId();
        CrawlTask page = KafkaTestSupport.submit(producer, parentId, site.baseUrl() + "/p/1");
        CrawlTask missing = KafkaTestSupport.submit(producer, parentId, site.baseUrl() + "/missing/5");
        producer.flush();

        List<JobEvent> events = new ArrayList<>();
        List<DocumentSaved> documents = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(broker.bootstrapServers(), Topics.JOB_EVENTS.name(), Topics.DOCUMENTS.name())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(Topics.JOB_EVENTS.name())) {
                        JobEvent event = Topics.JOB_EVENTS.valueSerde().deserializer()
                                .deserialize(record.topic(), record.value());
                        if (event.parentId().equals(parentId)) {
                            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(parentId);
                            events.add(event);
                        }
                    } else {
                        DocumentSaved doc = Topics.DOCUMENTS.valueSerde().deserializer()
                                .deserialize(record.topic(), record.value());
                        if (doc.parentId().equals(parentId)) {
                            documents.add(doc);
                        }
                    }
                }
                assertThat(events).filteredOn(e -> e instanceof ChildStatusChanged c && c.status().isTerminal())
                        .hasSize(2);
                assertThat(documents).hasSize(1);
            });
        }

        assertThat(KafkaTestSupport.kinds(events, page.childId())).containsExactly("running", "links", "completed");
        ChildStatusChanged completed = KafkaTestSupport.terminal(events, page.childId());
        String documentId = Ids.documentId(parentId, page.url());
        assertThat(completed.documentId()).isEqualTo(documentId);
        assertThat(completed.httpStatus()).isEqualTo(200);
        assertThat(completed.bytes()).isPositive();
        LinksDiscovered links = events.stream().filter(LinksDiscovered.class::isInstance)
                .map(LinksDiscovered.class::cast).findFirst().orElseThrow();
        assertThat(links.urls()).contains(site.baseUrl() + "/p/4", site.baseUrl() + "/p/0")
                .doesNotContain(page.url());

        DocumentSaved document = documents.get(0);
        assertThat(document.documentId()).isEqualTo(documentId);
        assertThat(document.markdown()).contains("# Page 1").doesNotContain("var x");
        assertThat(document.title()).isEqualTo("Page 1");
        assertThat(document.language()).isEqualTo("en");
        assertThat(document.contentHash()).hasSize(64);

        assertThat(KafkaTestSupport.kinds(events, missing.childId())).containsExactly("running", "failed");
        ChildStatusChanged failed = KafkaTestSupport.terminal(events, missing.childId());
        assertThat(failed.reason()).isEqualTo("http 404");
        assertThat(failed.reasonClass()).isEqualTo(ReasonClass.ERROR);
        assertThat(failed.httpStatus()).isEqualTo(404);
    }

    @Test
    void sendsAnUnreadableTaskToTheDeadLetterTopicWithItsOriginalBytes() {
        byte[] key = ("garbage-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] value = "{not json".getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(Topics.CRAWL_TASKS.name(), key, value));
        producer.flush();

        try (KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(broker.bootstrapServers(), Topics.DEAD_LETTERS.name())) {
            List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && java.util.Arrays.equals(r.key(), key)) {
                        letters.add(r);
                    }
                });
                assertThat(letters).hasSize(1);
            });
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            assertThat(letter.value()).isEqualTo(value);
            assertThat(new String(letter.headers().lastHeader(Topics.DLT_REASON_HEADER).value(),
                    StandardCharsets.UTF_8)).contains("CrawlTask");
            assertThat(new String(letter.headers().lastHeader(Topics.DLT_SOURCE_TOPIC_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo(Topics.CRAWL_TASKS.name());
        }
    }
}

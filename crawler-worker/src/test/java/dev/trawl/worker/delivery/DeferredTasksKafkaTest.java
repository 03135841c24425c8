package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeferredTasksKafkaTest {

    @Test
    void tasksWaitingForPolitenessBeyondTheBatchAreCrawledLaterExactlyOnce() throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.shared();
        String groupId = "deferred-test-" + UUID.randomUUID();
        KafkaTestSupport.startGroupAtEnd(broker.bootstrapServers(), groupId);
        // one host, 300 ms apart, but a batch may only start tasks within 100 ms: one task per batch
        WorkerSettings settings = WorkerSettings.defaults(broker.bootstrapServers())
                .withGroupId(groupId)
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                .withPolitenessDelay(Duration.ofMillis(300))
                .withScheduling(Duration.ofSeconds(30), Duration.ofMinutes(30), Duration.ofMillis(100),
                        Duration.ofMinutes(5), Duration.ofMillis(200));
        String parentId = Ids.newParentId();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());

        List<JobEvent> events = new ArrayList<>();
        List<CrawlTask> tasks = new ArrayList<>();
        try (GeneratedSite site = GeneratedSite.start(10, 0);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                     new ByteArraySerializer());
             CrawlWorker worker = new CrawlWorker(settings).start();
             KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(broker.bootstrapServers(),
                     Topics.JOB_EVENTS.name())) {
            for (int page = 2; page <= 4; page++) {
                tasks.add(KafkaTestSupport.submit(producer, parentId, site.baseUrl() + "/p/" + page));
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(record -> {
                    JobEvent event = Topics.JOB_EVENTS.valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    if (event.parentId().equals(parentId)) {
                        events.add(event);
                    }
                });
                assertThat(events).filteredOn(e -> e instanceof ChildStatusChanged c && c.status().isTerminal())
                        .hasSize(3);
            });
        }

        for (CrawlTask task : tasks) {
            assertThat(KafkaTestSupport.kinds(events, task.childId()))
                    .as("events of %s", task.url())
                    .containsExactly("running", "links", "completed");
            assertThat(KafkaTestSupport.terminal(events, task.childId()).status()).isEqualTo(ChildStatus.COMPLETED);
        }
    }
}

package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class CancelledParentsKafkaTest {

    @Test
    void queuedTasksOfAParentThatEndedAreSkippedWithoutEventsAndTheirOffsetsCommitted() throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.shared();
        String bootstrap = broker.bootstrapServers();
        String groupId = "cancelled-test-" + UUID.randomUUID();
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
        String cancelled = Ids.newParentId();
        String live = Ids.newParentId();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);

        try (GeneratedSite site = GeneratedSite.start(10, 0);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                     new ByteArraySerializer());
             TerminalParents terminalParents = new TerminalParents(bootstrap, "cancelled-test-reader", 1_000)
                     .start()) {
            String topic = Topics.PARENT_PROGRESS.name();
            ParentProgress snapshot = new ParentProgress(cancelled, "cancelled", JobStatus.CANCELLED, 0, 0, 0, 0, 3,
                    3, 0, 0, 0, null, "0 pending, 0 running, 0 completed, 0 failed", Instant.now(), Instant.now(),
                    Instant.now(), Instant.now(), null, 5);
            producer.send(new ProducerRecord<>(topic, cancelled.getBytes(),
                    Topics.PARENT_PROGRESS.valueSerde().serializer().serialize(topic, snapshot))).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> terminalParents.isCancelled(cancelled));

            WorkerSettings settings = WorkerSettings.defaults(bootstrap).withGroupId(groupId)
                    .withAllowedPrivateCidrs(List.of("127.0.0.0/8")).withPolitenessDelay(Duration.ZERO);
            try (CrawlWorker worker = new CrawlWorker(settings, terminalParents).start()) {
                List<CrawlTask> skipped = new ArrayList<>();
                for (int page = 1; page <= 3; page++) {
                    skipped.add(KafkaTestSupport.submit(producer, cancelled, site.baseUrl() + "/p/" + page));
                }
                // same host key, so the same partition, queued behind the skipped ones
                CrawlTask crawled = KafkaTestSupport.submit(producer, live, site.baseUrl() + "/p/4");
                producer.flush();

                List<JobEvent> events = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                        Topics.JOB_EVENTS.name())) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        reader.poll(Duration.ofMillis(200)).forEach(r -> {
                            JobEvent e = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(r.topic(),
                                    r.value());
                            if (e.parentId().equals(cancelled) || e.parentId().equals(live)) {
                                events.add(e);
                            }
                        });
                        assertThat(KafkaTestSupport.kinds(events, crawled.childId())).contains("completed");
                    });
                }
                assertThat(events).allMatch(e -> e.parentId().equals(live));
                for (CrawlTask task : skipped) {
                    assertThat(KafkaTestSupport.kinds(events, task.childId())).isEmpty();
                }
                assertThat(site.requests()).as("robots.txt and /p/4 only").isEqualTo(2);
                Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(bootstrap, groupId);
                try (KafkaConsumer<byte[], byte[]> tasks = KafkaTestSupport.readCommitted(bootstrap,
                        Topics.CRAWL_TASKS.name())) {
                    tasks.endOffsets(tasks.assignment()).forEach((partition, end) ->
                            assertThat(committed.get(partition).offset()).as("%s", partition).isEqualTo(end));
                }
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String bootstrap, String groupId)
            throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        }
    }
}

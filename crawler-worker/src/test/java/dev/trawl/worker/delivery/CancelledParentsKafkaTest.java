package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.LoopbackServer;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tasks of parents that are stopping (cancel accepted) or ended, read from {@code trawl.parent-progress}. */
class CancelledParentsKafkaTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final String groupId = "cancelled-test-" + UUID.randomUUID();
    private final String live = Ids.newParentId();
    private KafkaProducer<byte[], byte[]> producer;
    private TerminalParents terminalParents;

    @BeforeEach
    void start() throws Exception {
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        terminalParents = new TerminalParents(bootstrap, "cancelled-test-reader-" + groupId, 1_000).start();
    }

    @AfterEach
    void stop() {
        terminalParents.close();
        producer.close();
    }

    private CrawlWorker worker() {
        WorkerSettings settings = WorkerSettings.defaults(bootstrap).withGroupId(groupId)
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8")).withPolitenessDelay(Duration.ZERO);
        return new CrawlWorker(settings, terminalParents).start();
    }

    /** Publishes a parent snapshot as the aggregator does, and waits until the worker's read model has it. */
    private void publish(String parentId, JobStatus status, boolean stopping) throws Exception {
        Instant now = Instant.now();
        ParentProgress snapshot = new ParentProgress(parentId, "p", status, 0, 1, 0, 0, 2, 3, 0, 0, 0, null,
                "0 pending, 1 running, 0 completed, 0 failed", now, now, now, status.isTerminal() ? now : null, null,
                5, "crawl", null, 0, null, stopping);
        String topic = Topics.PARENT_PROGRESS.name();
        producer.send(new ProducerRecord<>(topic, parentId.getBytes(StandardCharsets.UTF_8),
                Topics.PARENT_PROGRESS.valueSerde().serializer().serialize(topic, snapshot))).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> terminalParents.isCancelled(parentId));
        assertThat(terminalParents.hasEnded(parentId)).isEqualTo(status.isTerminal());
    }

    /** Reads the committed events of {@code parents} until each of {@code children} has a terminal one. */
    private List<JobEvent> eventsUntilTerminal(List<CrawlTask> children, String... parents) {
        List<JobEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                Topics.JOB_EVENTS.name())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                KafkaTestSupport.pollEvents(reader, events, parents);
                for (CrawlTask child : children) {
                    assertThat(KafkaTestSupport.terminals(events, child.childId())).isNotEmpty();
                }
            });
        }
        return events;
    }

    private void assertEveryTaskOffsetCommitted() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = KafkaTestSupport.committedOffsets(bootstrap, groupId);
        try (KafkaConsumer<byte[], byte[]> tasks = KafkaTestSupport.readCommitted(bootstrap,
                Topics.CRAWL_TASKS.name())) {
            tasks.endOffsets(tasks.assignment()).forEach((partition, end) ->
                    assertThat(committed.get(partition).offset()).as("%s", partition).isEqualTo(end));
        }
    }

    @Test
    void queuedTasksOfAParentThatEndedAreSkippedWithoutEventsAndTheirOffsetsCommitted() throws Exception {
        String ended = Ids.newParentId();
        publish(ended, JobStatus.CANCELLED, false);

        try (GeneratedSite site = GeneratedSite.start(10, 0); CrawlWorker worker = worker()) {
            List<CrawlTask> skipped = new ArrayList<>();
            for (int page = 1; page <= 3; page++) {
                skipped.add(KafkaTestSupport.submit(producer, ended, site.baseUrl() + "/p/" + page));
            }
            // same host key, so the same partition, queued behind the skipped ones
            CrawlTask crawled = KafkaTestSupport.submit(producer, live, site.baseUrl() + "/p/4");
            producer.flush();

            List<JobEvent> events = eventsUntilTerminal(List.of(crawled), ended, live);

            assertThat(events).allMatch(e -> e.parentId().equals(live));
            for (CrawlTask task : skipped) {
                assertThat(KafkaTestSupport.kinds(events, task.childId())).isEmpty();
            }
            assertThat(site.requests()).as("robots.txt and /p/4 only").isEqualTo(2);
            assertEveryTaskOffsetCommitted();
        }
    }

    @Test
    void aTaskOfAStoppingParentIsNotFetchedAndItsChildIsReportedCancelled() throws Exception {
        String stopping = Ids.newParentId();
        publish(stopping, JobStatus.RUNNING, true);

        try (GeneratedSite site = GeneratedSite.start(10, 0); CrawlWorker worker = worker()) {
            CrawlTask skipped = KafkaTestSupport.submit(producer, stopping, site.baseUrl() + "/p/1");
            CrawlTask crawled = KafkaTestSupport.submit(producer, live, site.baseUrl() + "/p/2");
            producer.flush();

            List<JobEvent> events = eventsUntilTerminal(List.of(skipped, crawled), stopping, live);

            assertThat(KafkaTestSupport.kinds(events, skipped.childId())).containsOnly("cancelled");
            ChildStatusChanged cancelled = KafkaTestSupport.terminal(events, skipped.childId());
            assertThat(cancelled.status()).isEqualTo(ChildStatus.CANCELLED);
            assertThat(cancelled.reason()).isEqualTo("cancelled before start");
            assertThat(cancelled.eventId()).isEqualTo(Ids.eventId(skipped.childId(), "1", "cancelled"));
            assertThat(site.requests()).as("robots.txt and /p/2 only").isEqualTo(2);
            assertEveryTaskOffsetCommitted();
        }
    }

    @Test
    void aParentThatStopsWhileItsTaskWaitsForTheHostsRobotsTxtGetsNoPageRequest() throws Exception {
        String stopsMidway = Ids.newParentId();
        CountDownLatch robotsRequested = new CountDownLatch(1);
        CountDownLatch releaseRobots = new CountDownLatch(1);
        try (LoopbackServer site = new LoopbackServer()) {
            site.html("/a", "<p>a</p>").html("/b", "<p>b</p>").route("/robots.txt", exchange -> {
                robotsRequested.countDown();
                try {
                    releaseRobots.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LoopbackServer.send(exchange, 404, "text/plain", new byte[0]);
            });
            // sent before the worker starts, so both are in its first batch
            CrawlTask crawled = KafkaTestSupport.submit(producer, live, site.url("/a"));
            CrawlTask stopped = KafkaTestSupport.submit(producer, stopsMidway, site.url("/b"));
            producer.flush();
            try (CrawlWorker worker = worker()) {
                // both tasks started and wait for the host's robots.txt; the cancel is accepted meanwhile
                assertThat(robotsRequested.await(1, TimeUnit.MINUTES)).isTrue();
                publish(stopsMidway, JobStatus.RUNNING, true);
                releaseRobots.countDown();

                List<JobEvent> events = eventsUntilTerminal(List.of(stopped, crawled), stopsMidway, live);

                assertThat(KafkaTestSupport.kinds(events, stopped.childId()))
                        .containsExactly("running", "cancelled");
                assertThat(KafkaTestSupport.terminal(events, stopped.childId()).reason())
                        .isEqualTo("cancelled before start");
                assertThat(KafkaTestSupport.terminal(events, crawled.childId()).status())
                        .isEqualTo(ChildStatus.COMPLETED);
                assertThat(site.hits("/b")).isZero();
                assertThat(site.hits("/robots.txt")).isEqualTo(1);
            }
        }
    }
}

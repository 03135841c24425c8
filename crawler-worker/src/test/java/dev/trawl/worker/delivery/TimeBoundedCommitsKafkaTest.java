package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.LoopbackServer;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch's outcomes commit as its pages end, not when its slowest page ends; out-of-order ones travel in the offset
 * metadata, so an instance that takes the partition over does not crawl them again. Every task is on the loopback
 * host, so on one partition, and the slow one has the lowest offset.
 */
class TimeBoundedCommitsKafkaTest {

    private static final int FAST_PAGES = 5;

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final String groupId = "time-bounded-" + UUID.randomUUID();
    private final String parentId = Ids.newParentId();
    /** Holds the first request of /slow until released; later ones answer at once. */
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final AtomicInteger slowRequests = new AtomicInteger();
    private LoopbackServer site;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeEach
    void start() throws Exception {
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
        site = new LoopbackServer().route("/slow", exchange -> {
            if (slowRequests.incrementAndGet() == 1) {
                try {
                    releaseSlow.await(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LoopbackServer.send(exchange, 200, "text/html", "<p>slow</p>".getBytes(StandardCharsets.UTF_8));
        });
        for (int i = 0; i < FAST_PAGES; i++) {
            site.html("/fast/" + i, "<p>fast " + i + "</p>");
        }
        site.html("/last", "<p>last</p>");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        producer.close();
        site.close();
    }

    private WorkerSettings settings(String instance) {
        return WorkerSettings.defaults(bootstrap).withGroupId(groupId)
                .withInstanceId(instance + "-" + UUID.randomUUID())
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8")).withPolitenessDelay(Duration.ZERO)
                .withMaxInFlight(8).withCommitInterval(Duration.ofMillis(100));
    }

    /** The slow task first, then the fast ones behind it, all sent before any worker polls (one batch). */
    private List<KafkaTestSupport.Sent> submitSlowThenFast() throws Exception {
        List<KafkaTestSupport.Sent> sent = new ArrayList<>();
        sent.add(KafkaTestSupport.send(producer, parentId, site.url("/slow")));
        for (int i = 0; i < FAST_PAGES; i++) {
            sent.add(KafkaTestSupport.send(producer, parentId, site.url("/fast/" + i)));
        }
        assertThat(sent).extracting(KafkaTestSupport.Sent::partition).containsOnly(sent.get(0).partition());
        return sent;
    }

    @Test
    void fastPagesAreCommittedWhileASlowPageOfTheSameBatchAndPartitionIsStillFetched() throws Exception {
        List<KafkaTestSupport.Sent> sent = submitSlowThenFast();
        KafkaTestSupport.Sent slow = sent.get(0);
        List<KafkaTestSupport.Sent> fast = sent.subList(1, sent.size());
        List<JobEvent> events = new ArrayList<>();

        try (CrawlWorker worker = new CrawlWorker(settings("worker")).start();
             KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                     Topics.JOB_EVENTS.name())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                KafkaTestSupport.pollEvents(reader, events, parentId);
                for (KafkaTestSupport.Sent page : fast) {
                    assertThat(KafkaTestSupport.terminals(events, page.task().childId())).hasSize(1);
                }
            });
            assertThat(slowRequests.get()).as("the slow page is being fetched").isEqualTo(1);
            assertThat(KafkaTestSupport.terminals(events, slow.task().childId())).isEmpty();
            // the prefix stops at the slow task; the fast ones behind it are listed in the metadata
            OffsetAndMetadata committed = KafkaTestSupport.committedOffsets(bootstrap, groupId)
                    .get(new TopicPartition(Topics.CRAWL_TASKS.name(), slow.partition()));
            assertThat(committed.offset()).isEqualTo(slow.offset());
            assertThat(OffsetLedger.decode(committed.offset(), committed.metadata(), null).reported())
                    .containsExactlyElementsOf(fast.stream().map(KafkaTestSupport.Sent::offset).toList());

            releaseSlow.countDown();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                KafkaTestSupport.pollEvents(reader, events, parentId);
                assertThat(KafkaTestSupport.terminals(events, slow.task().childId())).hasSize(1);
            });
        }
        for (KafkaTestSupport.Sent page : sent) {
            assertThat(KafkaTestSupport.terminals(events, page.task().childId())).singleElement()
                    .satisfies(end -> assertThat(end.status()).isEqualTo(ChildStatus.COMPLETED));
        }
    }

    @Test
    void aWorkerStuckMidBatchIsReplacedAndEveryTaskIsReportedExactlyOnce() throws Exception {
        List<KafkaTestSupport.Sent> sent = submitSlowThenFast();
        KafkaTestSupport.Sent slow = sent.get(0);
        List<JobEvent> events = new ArrayList<>();
        // the stuck worker is given up by the group once it has not polled for 3 s
        WorkerSettings stuckSettings = settings("stuck").withScheduling(Duration.ofSeconds(30),
                Duration.ofMinutes(30), Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofMillis(200));

        try (CrawlWorker stuck = new CrawlWorker(stuckSettings).start();
             KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                     Topics.JOB_EVENTS.name())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                KafkaTestSupport.pollEvents(reader, events, parentId);
                for (KafkaTestSupport.Sent page : sent.subList(1, sent.size())) {
                    assertThat(KafkaTestSupport.terminals(events, page.task().childId())).hasSize(1);
                }
            });
            try (CrawlWorker successor = new CrawlWorker(settings("successor")).start()) {
                // the successor takes the partition over, skips the fast tasks and crawls the slow one
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    KafkaTestSupport.pollEvents(reader, events, parentId);
                    assertThat(KafkaTestSupport.terminals(events, slow.task().childId())).hasSize(1);
                });
                // the stuck worker's slow page now ends: its transaction must be refused, and it rejoins the group
                releaseSlow.countDown();
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        KafkaTestSupport.groupMembers(bootstrap, groupId) == 2);
                assertThat(stuck.isRunning()).isTrue();
                // one more task, crawled by whichever instance owns the partition now, marks the end of the log
                KafkaTestSupport.Sent last = KafkaTestSupport.send(producer, parentId, site.url("/last"));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    KafkaTestSupport.pollEvents(reader, events, parentId);
                    assertThat(KafkaTestSupport.terminals(events, last.task().childId())).hasSize(1);
                });
            }
        }
        assertThat(slowRequests.get()).as("the stuck attempt and the successor's").isEqualTo(2);
        for (KafkaTestSupport.Sent page : sent) {
            assertThat(KafkaTestSupport.terminals(events, page.task().childId())).as(page.task().url())
                    .singleElement().satisfies(end -> assertThat(end.status()).isEqualTo(ChildStatus.COMPLETED));
        }
        for (int i = 0; i < FAST_PAGES; i++) {
            assertThat(site.hits("/fast/" + i)).as("fast page %d fetched once", i).isEqualTo(1);
        }
    }
}

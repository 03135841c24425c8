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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A host's task partition moves to another worker mid-crawl: the new owner has never read the host's robots.txt,
 * so it cannot know the Crawl-delay before its first request, and must still keep it from the previous owner's
 * last request. Two worker instances, each with its own politeness memory, as two replicas have.
 */
class PolitenessHandOverKafkaTest {

    private static final Duration CRAWL_DELAY = Duration.ofSeconds(3);

    @Test
    void aNewOwnerKeepsTheCrawlDelayFromThePreviousOwnersLastRequestEvenForItsFirstRobotsTxt() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        String groupId = "hand-over-test-" + UUID.randomUUID();
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
        String parentId = Ids.newParentId();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        WorkerSettings settings = WorkerSettings.defaults(bootstrap).withGroupId(groupId)
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8")).withPolitenessDelay(Duration.ZERO);

        try (LoopbackServer site = new LoopbackServer().html("/p/1", "<p>1</p>").html("/p/2", "<p>2</p>")
                .body("/robots.txt", 200, "text/plain", ("User-agent: *\nCrawl-delay: " + CRAWL_DELAY.toSeconds()
                        + "\n").getBytes(StandardCharsets.UTF_8));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                     new ByteArraySerializer());
             KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                     Topics.JOB_EVENTS.name())) {
            KafkaTestSupport.Sent first = KafkaTestSupport.send(producer, parentId, site.url("/p/1"));
            KafkaTestSupport.Sent second = KafkaTestSupport.send(producer, parentId, site.url("/p/2"));
            CrawlWorker next = null;
            try (CrawlWorker previous = new CrawlWorker(settings.withInstanceId("previous-" + UUID.randomUUID()))
                    .start()) {
                // the previous owner read robots.txt and fetched one page; the other waits for its slot 3 s on
                await().atMost(Duration.ofSeconds(60)).until(() -> site.hits("/p/1") + site.hits("/p/2") == 1);
                next = new CrawlWorker(settings.withInstanceId("next-" + UUID.randomUUID())).start();
                previous.close(); // the other page is handed back unstarted, the first committed; the partition moves
                List<JobEvent> events = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    KafkaTestSupport.pollEvents(reader, events, parentId);
                    assertThat(KafkaTestSupport.terminals(events, first.task().childId())).hasSize(1);
                    assertThat(KafkaTestSupport.terminals(events, second.task().childId())).hasSize(1);
                });
                assertThat(KafkaTestSupport.terminals(events, first.task().childId())).singleElement()
                        .satisfies(end -> assertThat(end.status()).isEqualTo(ChildStatus.COMPLETED));
                assertThat(KafkaTestSupport.terminals(events, second.task().childId())).singleElement()
                        .satisfies(end -> assertThat(end.status()).isEqualTo(ChildStatus.COMPLETED));
            } finally {
                if (next != null) {
                    next.close();
                }
            }
            OffsetAndMetadata committed = KafkaTestSupport.committedOffsets(bootstrap, groupId)
                    .get(new TopicPartition(Topics.CRAWL_TASKS.name(), first.partition()));
            assertThat(committed.offset()).isEqualTo(second.offset() + 1);

            // each instance read robots.txt once: the next owner's was its first request to the host. A worker counts
            // a gap from a request's start, or from its response once in, so even a server slow to note a request
            // sees no shorter gap: no allowance for jitter here
            assertThat(site.hitTimes("/robots.txt")).hasSize(2);
            List<Long> starts = new ArrayList<>();
            starts.addAll(site.hitTimes("/robots.txt"));
            starts.addAll(site.hitTimes("/p/1"));
            starts.addAll(site.hitTimes("/p/2"));
            starts.sort(null);
            for (int i = 1; i < starts.size(); i++) {
                assertThat(Duration.ofNanos(starts.get(i) - starts.get(i - 1))).as("gap %d of %s", i, starts)
                        .isGreaterThanOrEqualTo(CRAWL_DELAY);
            }
        }
    }
}

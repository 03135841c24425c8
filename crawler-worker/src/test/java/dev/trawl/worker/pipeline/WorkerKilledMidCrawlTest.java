package dev.trawl.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.testkit.JvmProcess;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import dev.trawl.worker.delivery.KafkaTestSupportAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A worker replica in its own JVM is SIGKILLed mid-crawl (no shutdown hook, no abort, no leave-group) while a
 * second one keeps going: its open transaction is aborted by the broker, its partitions move on after the session
 * timeout, and the crawl still ends with every page saved exactly once.
 */
class WorkerKilledMidCrawlTest {

    private static final int PAGES = 1_500;
    private static final int DEPTH = 30;

    @Test
    void everyPageIsSavedExactlyOnceAndCountsStayExactWhenAWorkerIsKilledMidCrawl() throws Exception {
        AggregatorPipeline pipeline = AggregatorPipeline.shared();
        String groupId = "killed-worker-" + UUID.randomUUID();
        KafkaTestSupportAccess.startGroupAtEnd(pipeline.bootstrap, groupId);
        Path log = Files.createTempFile("killed-worker", ".log");
        try (GeneratedSite site = GeneratedSite.start(PAGES, 40);
             JvmProcess doomed = JvmProcess.start(WorkerMain.class, log, List.of(), pipeline.bootstrap, groupId,
                     "doomed-" + UUID.randomUUID())) {
            String parentId = pipeline.submit("killed mid-crawl", site.seedUrl(), DEPTH, 100_000);
            awaitCompleted(pipeline, parentId, 30);
            try (CrawlWorker survivor = new CrawlWorker(WorkerSettings.defaults(pipeline.bootstrap)
                    .withGroupId(groupId)
                    .withInstanceId("survivor-" + UUID.randomUUID())
                    .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                    .withPolitenessDelay(Duration.ZERO)).start()) {
                awaitCompleted(pipeline, parentId, 300);
                assertThat(doomed.isAlive()).as("the doomed worker is still crawling; see %s", log).isTrue();
                doomed.kill();

                ParentProgress done = pipeline.awaitTerminal(parentId, Duration.ofMinutes(2));

                int pages = site.reachablePages(DEPTH);
                int missing = site.reachableMissing(DEPTH);
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(done.completed()).isEqualTo(pages);
                assertThat(done.failed()).isEqualTo(missing);
                assertThat(done.total()).isEqualTo(pages + missing);
                assertThat(done.pending() + done.running() + done.cancelled()).isZero();
                assertThat(done.documentCount()).isEqualTo(pages);

                Map<String, Integer> copies = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : pipeline.readAll(Topics.DOCUMENTS.name())) {
                    DocumentSaved doc = Topics.DOCUMENTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (doc.parentId().equals(parentId)) {
                        copies.merge(doc.documentId(), 1, Integer::sum);
                    }
                }
                assertThat(copies).hasSize(pages);
                assertThat(copies.values()).allMatch(n -> n == 1);
                assertThat(survivor.isRunning()).isTrue();
            }
        }
    }

    private static void awaitCompleted(AggregatorPipeline pipeline, String parentId, long atLeast) {
        try (KafkaConsumer<byte[], byte[]> reader = pipeline.readCommitted(Topics.PARENT_PROGRESS.name())) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    ParentProgress p = Topics.PARENT_PROGRESS.valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    if (p.id().equals(parentId) && p.completed() >= atLeast) {
                        return true;
                    }
                }
                return false;
            });
        }
    }
}

package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.testkit.TopicReader;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A worker process of the pipeline is SIGKILLed mid-crawl (no shutdown hook, no abort, no leave-group) while the
 * other keeps going: its open transaction is aborted by the broker, its partitions move on after its session timeout,
 * and the crawl still ends with every page saved exactly once.
 */
class WorkerKilledMidCrawlTest {

    private static final int PAGES = 1_500;
    private static final int DEPTH = 30;

    private final TrawlPipeline pipeline = TrawlPipeline.shared();
    private final GatewayRest rest = new GatewayRest(pipeline);

    @Test
    void everyPageIsSavedExactlyOnceAndCountsStayExactWhenAWorkerIsKilledMidCrawl() {
        pipeline.awaitWorkersAssigned();
        String doomed = null;
        try (GeneratedSite site = GeneratedSite.start(PAGES, 40);
             ProgressLog progress = ProgressLog.start(pipeline.bootstrap);
             KafkaConsumer<byte[], byte[]> tasks = TopicReader.fromNow(pipeline.bootstrap,
                     Topics.CRAWL_TASKS.name())) {
            String jobId = rest.submitCrawl("killed mid-crawl", site.seedUrl(), DEPTH, 100_000);
            Set<Integer> taskPartitions = new HashSet<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                collectTaskPartitions(tasks, jobId, taskPartitions);
                return progress.of(jobId).stream().anyMatch(s -> s.get("completed") >= PAGES / 5);
            });
            // the one to kill holds partitions that carry this crawl's tasks: it is crawling it
            Map<String, Set<Integer>> assigned = pipeline.taskPartitionsByWorker();
            doomed = assigned.entrySet().stream()
                    .filter(worker -> !Collections.disjoint(worker.getValue(), taskPartitions))
                    .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError(
                            "no worker holds a partition of the crawl's tasks " + taskPartitions + ": " + assigned));
            assertThat(progress.firstTerminal(jobId)).as("the crawl still runs when the worker is killed").isEmpty();
            pipeline.killWorker(doomed);

            ProgressLog.Seen done = progress.awaitTerminal(jobId, Duration.ofMinutes(3));

            int pages = site.reachablePages(DEPTH);
            int missing = site.reachableMissing(DEPTH);
            assertThat(done.status()).as(done.counts()).isEqualTo("completed");
            assertThat(done.get("completed")).as(done.counts()).isEqualTo(pages);
            assertThat(done.get("failed")).as(done.counts()).isEqualTo(missing);
            assertThat(done.get("total")).as(done.counts()).isEqualTo(pages + missing);
            assertThat(done.get("pending") + done.get("running") + done.get("cancelled")).as(done.counts()).isZero();
            assertThat(done.get("document_count")).as(done.counts()).isEqualTo(pages);

            Map<String, Integer> copies = rest.documentsOf(jobId);
            assertThat(copies).hasSize(pages);
            assertThat(copies.values()).allMatch(n -> n == 1);
            for (int i = 0; i < TrawlPipeline.WORKERS; i++) {
                String worker = TrawlPipeline.instanceId(i);
                if (!worker.equals(doomed)) {
                    assertThat(pipeline.workerAlive(worker)).as("%s kept running", worker).isTrue();
                }
            }
        } finally {
            if (doomed != null) {
                pipeline.restartWorker(doomed);
            }
        }
    }

    private static void collectTaskPartitions(KafkaConsumer<byte[], byte[]> tasks, String jobId, Set<Integer> into) {
        for (ConsumerRecord<byte[], byte[]> r : tasks.poll(Duration.ofMillis(100))) {
            CrawlTask task = Topics.CRAWL_TASKS.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (task != null && task.parentId().equals(jobId)) {
                into.add(r.partition());
            }
        }
    }
}

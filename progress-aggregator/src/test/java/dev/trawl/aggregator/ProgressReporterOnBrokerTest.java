package dev.trawl.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.report.ProgressReporter;
import dev.trawl.api.report.ReportedChild;
import dev.trawl.api.report.ReportedJob;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Any JVM job reports through the job-api reporter and gets exact, live snapshots like a crawl. */
class ProgressReporterOnBrokerTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();

    @Test
    void aLibraryScanReportedThroughTheReporterEndsWithExactCounts() throws Exception {
        try (ProgressAggregator aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap,
                Files.createTempDirectory("reporter")).withApplicationId("reporter-test-" + UUID.randomUUID()));
             ProgressReporter reporter = ProgressReporter.connect(bootstrap);
             KafkaConsumer<String, ParentProgress> progress = reader()) {
            aggregator.start();
            ReportedJob scan = reporter.start("library-scan", "Scan of 40 jars");
            List<ReportedChild> jars = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                jars.add(scan.child("jar-" + i, "lib-" + i + ".jar"));
            }
            scan.child("jar-0", "lib-0.jar"); // declared twice: still one child
            for (int i = 0; i < jars.size(); i++) {
                ReportedChild jar = jars.get(i);
                jar.running();
                scan.progress(i, jars.size(), "scanning", "lib-" + i + ".jar");
                if (i % 10 == 9) {
                    jar.failed("unreadable zip");
                } else {
                    jar.completed();
                    jar.completed(); // a duplicate report changes nothing
                }
            }
            scan.seal();
            reporter.flush();

            List<ParentProgress> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                progress.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(scan.id())) {
                        seen.add(r.value());
                    }
                });
                return !seen.isEmpty() && seen.get(seen.size() - 1).status().isTerminal();
            });
            ParentProgress last = seen.get(seen.size() - 1);
            assertThat(last.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(last.jobType()).isEqualTo("library-scan");
            assertThat(last.total()).isEqualTo(40);
            assertThat(last.completed()).isEqualTo(36);
            assertThat(last.failed()).isEqualTo(4);
            assertThat(last.progressText()).isEqualTo("0 pending, 0 running, 36 completed, 4 failed");
            assertThat(last.activity().message()).isEqualTo("scanning");
            assertThat(last.activity().current()).isEqualTo(39);
        }
    }

    private KafkaConsumer<String, ParentProgress> reader() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reporter-test-" + UUID.randomUUID());
        KafkaConsumer<String, ParentProgress> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.PARENT_PROGRESS.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.PARENT_PROGRESS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}

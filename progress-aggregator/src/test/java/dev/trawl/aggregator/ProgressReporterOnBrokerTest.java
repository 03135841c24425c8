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
import dev.trawl.testkit.TopicReader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/** Any JVM job reports through the job-api reporter and gets exact, live snapshots like a crawl. */
class ProgressReporterOnBrokerTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();

    @Test
    void aLibraryScanReportedThroughTheReporterEndsWithExactCounts() throws Exception {
        try (ProgressAggregator aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap,
                Files.createTempDirectory("reporter")).withApplicationId("reporter-test-" + UUID.randomUUID()));
             ProgressReporter reporter = ProgressReporter.connect(bootstrap);
             KafkaConsumer<byte[], byte[]> progress = TopicReader.fromNow(bootstrap, Topics.PARENT_PROGRESS.name())) {
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
                    ParentProgress p = Topics.PARENT_PROGRESS.valueSerde().deserializer().deserialize(r.topic(),
                            r.value());
                    if (p != null && p.id().equals(scan.id())) {
                        seen.add(p);
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


}

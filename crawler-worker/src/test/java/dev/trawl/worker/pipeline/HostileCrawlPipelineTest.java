package dev.trawl.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.HostileSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A crawl of the hostile site through the real aggregator and a real worker ends with exact counts. */
class HostileCrawlPipelineTest {

    @Test
    void aCrawlOfHostilePagesCompletesWithExactCountsAndReadableReasonsAndTheWorkerKeepsRunning() throws Exception {
        AggregatorPipeline pipeline = AggregatorPipeline.shared();
        String groupId = "hostile-pipeline-" + UUID.randomUUID();
        dev.trawl.worker.delivery.KafkaTestSupportAccess.startGroupAtEnd(pipeline.bootstrap, groupId);
        WorkerSettings settings = WorkerSettings.defaults(pipeline.bootstrap)
                .withGroupId(groupId)
                .withAllowedPrivateCidrs(List.of("127.0.0.3/32"))
                .withPolitenessDelay(Duration.ZERO)
                .withRetries(1, Duration.ofMillis(20))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withLimits(1024 * 1024, 200_000, 5, 2_000);
        try (HostileSite site = HostileSite.start("127.0.0.3", 0.1);
             CrawlWorker worker = new CrawlWorker(settings).start()) {
            String parentId = pipeline.submit("hostile", site.url("/"), 1, 100);

            ParentProgress done = pipeline.awaitTerminal(parentId, Duration.ofSeconds(90));

            Map<String, ChildStatusChanged> outcomes = terminalOutcomes(pipeline, parentId);
            Map<String, String> expected = new HashMap<>();
            expected.put("/", "completed");
            expected.put("/ok", "completed");
            expected.put("/endless", "completed");
            expected.put("/huge", "completed");
            expected.put("/gzip-bomb", "completed");
            expected.put("/gzip-ok", "completed");
            expected.put("/bad-charset", "completed");
            expected.put("/flaky", "completed");
            expected.put("/rate-limited", "completed");
            expected.put("/slow-drip", "timeout after 2s");
            expected.put("/redirect-loop", "redirect loop");
            expected.put("/redirect-to-loopback", "blocked address 127.0.0.1");
            expected.put("/redirect-to-metadata", "blocked address 169.254.169.254");
            expected.put("/binary", "binary content served as text/html");
            expected.put("/missing", "http 404");
            expected.put("/private/secret", "robots.txt disallows");
            expected.put("/image", "unsupported content type image/png");
            assertThat(expected).hasSize(HostileSite.CASES.size() + 1);
            for (Map.Entry<String, String> e : expected.entrySet()) {
                String childId = Ids.childId(parentId, site.url(e.getKey()));
                ChildStatusChanged outcome = outcomes.get(childId);
                assertThat(outcome).as(e.getKey()).isNotNull();
                if (e.getValue().equals("completed")) {
                    assertThat(outcome.documentId()).as(e.getKey()).isEqualTo(childId);
                } else {
                    assertThat(outcome.reason()).as(e.getKey()).isEqualTo(e.getValue());
                    assertThat(outcome.reasonClass()).as(e.getKey()).isIn(ReasonClass.ERROR, ReasonClass.POLICY);
                }
            }
            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(done.total()).isEqualTo(17);
            assertThat(done.completed()).isEqualTo(9);
            assertThat(done.failed()).isEqualTo(8);
            assertThat(done.pending() + done.running()).isZero();
            assertThat(done.documentCount()).isEqualTo(9);
            assertThat(worker.isRunning()).isTrue();
        }
    }

    private static Map<String, ChildStatusChanged> terminalOutcomes(AggregatorPipeline pipeline, String parentId) {
        Map<String, ChildStatusChanged> outcomes = new HashMap<>();
        for (var record : pipeline.readAll(Topics.JOB_EVENTS.name())) {
            JobEvent event = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (event instanceof ChildStatusChanged c && c.parentId().equals(parentId) && c.status().isTerminal()) {
                outcomes.put(c.childId(), c);
            }
        }
        return outcomes;
    }
}

package dev.trawl.e2e.ownworkers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.AggregatorApplication;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.HostileSite;
import dev.trawl.testkit.ServiceProcess;
import dev.trawl.worker.WorkerApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A crawl of the hostile site through the aggregator and a worker, each a process from its executable jar, ends with
 * exact counts and readable reasons, and the worker keeps running. The worker is configured for the site: only its
 * address open (so a redirect to 127.0.0.1 is blocked), short timeouts, one quick retry.
 */
class HostileCrawlPipelineTest {

    private static final Path LOGS = Path.of("target", "e2e-logs");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void aCrawlOfHostilePagesCompletesWithExactCountsAndReadableReasonsAndTheWorkerKeepsRunning() throws Exception {
        String kafka = "--trawl.kafka.bootstrap-servers=" + EmbeddedBroker.shared().bootstrapServers();
        try (HostileSite site = HostileSite.start("127.0.0.3", 0.1);
             ServiceProcess aggregator = ServiceProcess.jar("aggregator",
                             ServiceProcess.executableJar(AggregatorApplication.class))
                     .log(LOGS.resolve("hostile-aggregator.log"))
                     .args(kafka, "--trawl.aggregator.state-dir=" + Files.createTempDirectory("hostile-aggregator"))
                     .start();
             ServiceProcess worker = ServiceProcess.jar("worker", ServiceProcess.executableJar(WorkerApplication.class))
                     .jvmArgs(List.of("-Xmx256m", "-XX:+UseSerialGC")).log(LOGS.resolve("hostile-worker.log"))
                     .args(kafka,
                             "--trawl.worker.allowed-private-cidrs=127.0.0.3/32",
                             "--trawl.worker.politeness-delay=0ms",
                             "--trawl.worker.max-retries=1", "--trawl.worker.retry-backoff=20ms",
                             "--trawl.worker.connect-timeout=1s", "--trawl.worker.read-timeout=1s",
                             "--trawl.worker.fetch-deadline=2s",
                             "--trawl.worker.max-body-size=1MB", "--trawl.worker.max-markdown-chars=200000",
                             "--trawl.worker.max-redirects=5", "--trawl.worker.max-links=2000")
                     .start();
             JobTopics topics = new JobTopics(EmbeddedBroker.shared().bootstrapServers())) {
            aggregator.awaitReady(START_TIMEOUT);
            worker.awaitReady(START_TIMEOUT);
            String parentId = topics.submit("hostile", site.url("/"), 1, 100);

            ParentProgress done = topics.awaitTerminal(parentId, Duration.ofSeconds(90));

            Map<String, ChildStatusChanged> outcomes = terminalOutcomes(topics, parentId);
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
                    assertThat(outcome.documentId()).as("%s: %s", e.getKey(), outcome).isEqualTo(childId);
                } else {
                    assertThat(outcome.reason()).as("%s: %s", e.getKey(), outcome).isEqualTo(e.getValue());
                    assertThat(outcome.reasonClass()).as("%s: %s", e.getKey(), outcome)
                            .isIn(ReasonClass.ERROR, ReasonClass.POLICY);
                }
            }
            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(done.total()).isEqualTo(17);
            assertThat(done.completed()).isEqualTo(9);
            assertThat(done.failed()).isEqualTo(8);
            assertThat(done.pending() + done.running()).isZero();
            assertThat(done.documentCount()).isEqualTo(9);
            assertThat(worker.isAlive()).isTrue();
            assertThat(status(worker.url() + "/actuator/health/liveness")).as("the worker's liveness").isEqualTo(200);
        }
    }

    private static Map<String, ChildStatusChanged> terminalOutcomes(JobTopics topics, String parentId) {
        Map<String, ChildStatusChanged> outcomes = new HashMap<>();
        for (var record : topics.readAll(Topics.JOB_EVENTS.name())) {
            JobEvent event = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (event instanceof ChildStatusChanged c && c.parentId().equals(parentId) && c.status().isTerminal()) {
                outcomes.put(c.childId(), c);
            }
        }
        return outcomes;
    }

    private static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real headless Chromium, against this gateway with the real aggregator and a crawler worker
 * in the JVM crawling a generated site on loopback. Under CI ({@code CI=true}) a missing Chromium fails the test;
 * on a developer's machine without it the test is skipped with a message ({@code .ci/run} installs it).
 */
@Timeout(300)
class DashboardBrowserTest extends GatewayIntegrationTest {

    private static final int PAGES = 120;
    private static final int MAX_DEPTH = 3;
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static GeneratedSite site;
    private static ProgressAggregator aggregator;
    private static CrawlWorker worker;

    @BeforeAll
    static void pipeline() throws Exception {
        boolean present = Files.isExecutable(HeadlessChromium.BINARY);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(HeadlessChromium.BINARY + " is missing: .ci/run installs Debian's chromium");
        }
        Assumptions.assumeTrue(present, "no " + HeadlessChromium.BINARY
                + ": skipping the dashboard browser test (apt-get install chromium, or set CHROMIUM_BIN)");
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        site = GeneratedSite.start(PAGES, 0);
        aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap,
                Files.createTempDirectory("dashboard-aggregator")));
        aggregator.start();
        worker = new CrawlWorker(WorkerSettings.defaults(bootstrap)
                .withInstanceId("dashboard-worker")
                .withPolitenessDelay(Duration.ZERO)
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))).start();
    }

    @AfterAll
    static void stopPipeline() {
        if (worker != null) {
            worker.close();
        }
        if (aggregator != null) {
            aggregator.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aCrawlSubmittedInThePageReachesAHundredPercentWithExactCountsAcrossAReconnect() throws Exception {
        int expected = site.reachablePages(MAX_DEPTH);
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.navigate("http://localhost:" + port + "/");
            await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(browser.evalString(
                    "document.getElementById('connection').textContent")));

            browser.eval("(() => { const f = document.getElementById('submit');"
                    + " f.seed.value = '" + site.seedUrl() + "'; f.name.value = 'Generated site';"
                    + " f.max_depth.value = '" + MAX_DEPTH + "'; f.requestSubmit(); })()");
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.evalString("window.trawlDebug.lastSubmitted")
                    != null);
            String id = browser.evalString("window.trawlDebug.lastSubmitted");
            String row = "document.querySelector('tr[data-job-id=\"" + id + "\"]')";

            // kill the page's WebSocket mid-crawl: it reconnects with backoff and resumes
            browser.eval("window.trawlDebug.dropConnection()");
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.eval("window.trawlDebug.connects").intValue() >= 2
                    && "live".equals(browser.evalString("document.getElementById('connection').textContent")));

            await().atMost(Duration.ofSeconds(180)).until(() -> "completed".equals(browser.evalString(
                    row + ".querySelector('.badge').textContent")));
            assertThat(browser.evalString(row + ".querySelector('.bar > div').style.width")).isEqualTo("100%");
            assertThat(browser.evalString(row + ".querySelector('[data-field=progress_text]').textContent"))
                    .isEqualTo("100% · 0 pending, 0 running, " + expected + " completed, 0 failed");
            assertThat(browser.evalString(row + ".querySelector('[data-field=document_count]').textContent"))
                    .isEqualTo(String.valueOf(expected));
            assertThat(browser.evalString(row + ".querySelector('a').textContent")).isEqualTo("Generated site");
            browser.screenshot(SCREENSHOTS.resolve("dashboard-jobs.png"), false);

            // the job page: children (filtered), live log, documents linking to their Markdown
            browser.eval("location.hash = '#job/" + id + "'");
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.eval(
                    "document.querySelectorAll('#documents tr').length").intValue() == expected);
            assertThat(browser.evalString("document.getElementById('job-progress-text').textContent"))
                    .isEqualTo("0 pending, 0 running, " + expected + " completed, 0 failed");
            await().until(() -> browser.eval("document.querySelectorAll('#log li').length").intValue() > 0);
            browser.eval("(() => { const s = document.getElementById('child-filter'); s.value = 'completed';"
                    + " s.dispatchEvent(new Event('change')); })()");
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.eval(
                    "document.querySelectorAll('#children tr').length").intValue() == expected);
            String markdown = browser.evalString("fetch(document.querySelector('#documents a[href$=\"/markdown\"]')"
                    + ".href).then(r => r.ok && r.headers.get('content-type').startsWith('text/markdown') ? r.text() : null)");
            assertThat(markdown).isNotBlank();
            browser.screenshot(SCREENSHOTS.resolve("dashboard-job.png"), true);
        }
    }

    @Test
    void aThousandJobsAreListedAndUpdatedInPlace() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        try (KafkaProducer<String, ParentProgress> producer = jobsProducer(); HeadlessChromium browser = new HeadlessChromium()) {
            for (int i = 0; i < 1000; i++) {
                String id = Ids.newParentId();
                ids.add(id);
                producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, progress(id, 1, JobStatus.RUNNING)));
            }
            producer.flush();
            browser.navigate("http://localhost:" + port + "/");
            await().atMost(Duration.ofSeconds(60)).until(() -> browser.eval(
                    "document.querySelectorAll('#jobs tr[data-job-id]').length").intValue() >= 1000);
            browser.eval("window.firstRow = document.querySelector('tr[data-job-id=\"" + ids.get(0) + "\"]')");

            for (String id : ids) {
                producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, progress(id, 5, JobStatus.COMPLETED)));
            }
            producer.flush();
            String row = "document.querySelector('tr[data-job-id=\"" + ids.get(0) + "\"]')";
            await().atMost(Duration.ofSeconds(60)).until(() -> browser.eval(
                    "[...document.querySelectorAll('#jobs tr[data-job-id] .badge')].filter(b => b.textContent === 'completed').length")
                    .intValue() >= 1000);
            assertThat(browser.eval(row + " === window.firstRow").booleanValue()).isTrue(); // updated, not rebuilt
        }
    }

    @Test
    void aReportedJobShowsItsTypeAndFineGrainedActivity() throws Exception {
        String id = Ids.newParentId();
        ParentProgress base = progress(id, 2, JobStatus.RUNNING);
        try (KafkaProducer<String, ParentProgress> producer = jobsProducer(); HeadlessChromium browser = new HeadlessChromium()) {
            producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, new ParentProgress(id, "Scan",
                    base.status(), base.pending(), base.running(), base.completed(), base.failed(), base.cancelled(),
                    base.total(), 0, 0, base.progress(), null, base.progressText(), base.createdAt(), base.startedAt(),
                    base.updatedAt(), null, null, 2, "library-scan",
                    dev.trawl.api.event.ProgressDetail.of(null, 3, 12, "scanning", null))));
            producer.flush();
            browser.navigate("http://localhost:" + port + "/");
            String text = "(document.querySelector('tr[data-job-id=\"" + id + "\"] .text') || {}).textContent || ''";
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.eval(text).asString()
                    .contains("library-scan: scanning 3/12 (25%)"));
        }
    }

    private static KafkaProducer<String, ParentProgress> jobsProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        return new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }
}

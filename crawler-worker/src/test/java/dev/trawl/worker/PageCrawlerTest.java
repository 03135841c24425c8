package dev.trawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.worker.fetch.AddressPolicy;
import dev.trawl.worker.fetch.Fetcher;
import dev.trawl.worker.fetch.HostPoliteness;
import dev.trawl.worker.fetch.RobotsPolicy;
import dev.trawl.worker.parse.PageConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PageCrawlerTest {

    private final LoopbackServer site = new LoopbackServer();
    private final ExecutorService httpPool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        site.close();
        httpPool.shutdownNow();
    }

    private PageCrawler crawler(WorkerSettings settings) {
        Fetcher fetcher = new Fetcher(new Fetcher.Options(settings.userAgent(), settings.connectTimeout(),
                settings.readTimeout(), settings.fetchDeadline(), settings.maxRedirects()),
                new AddressPolicy(settings.allowedPrivateCidrs()), 16);
        return new PageCrawler(settings, fetcher,
                new RobotsPolicy(fetcher, settings.userAgent(), settings.robotsCacheTtl(), settings.maxCrawlDelay()),
                new HostPoliteness(), new PageConverter(settings.maxLinks(), settings.maxMarkdownChars()));
    }

    private static WorkerSettings loopbackSettings() {
        return WorkerSettings.defaults("unused:9092")
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                .withPolitenessDelay(Duration.ZERO)
                .withRetries(2, Duration.ofMillis(10))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2));
    }

    private TaskOutcome crawl(WorkerSettings settings, String path) throws InterruptedException {
        CrawlTask task = new CrawlTask("parent", "child", site.url(path), 0, 1, 1, Instant.now());
        return crawler(settings).process(task, TaskContext.standalone("127.0.0.1",
                System.nanoTime() + Duration.ofMinutes(1).toNanos()));
    }

    @Test
    void completesAnHtmlPageWithItsDocumentAndLinks() throws Exception {
        site.html("/page", "<html lang='en'><title>T</title><body><main><h1>Hello</h1><a href='/next#x'>n</a>"
                + "</main></body></html>");

        TaskOutcome outcome = crawl(loopbackSettings(), "/page");

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Completed.class, done -> {
            assertThat(done.httpStatus()).isEqualTo(200);
            assertThat(done.page().markdown()).startsWith("# Hello");
            assertThat(done.page().links()).containsExactly(site.url("/next"));
            assertThat(done.bodyTruncated()).isFalse();
        });
    }

    @Test
    void followsRedirectsAndReportsTheFinalUrl() throws Exception {
        site.redirect("/old", "/new").html("/new", "<html><body><p>moved</p></body></html>");

        TaskOutcome outcome = crawl(loopbackSettings(), "/old");

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Completed.class,
                done -> assertThat(done.finalUrl()).isEqualTo(site.url("/new")));
    }

    @Test
    void failsAMissingPageWithItsHttpStatusAsAnError() throws Exception {
        assertThat(crawl(loopbackSettings(), "/missing"))
                .isEqualTo(new TaskOutcome.Failed("http 404", ReasonClass.ERROR, 404));
    }

    @Test
    void failsARedirectLoop() throws Exception {
        site.redirect("/a", "/b").redirect("/b", "/a");

        assertThat(crawl(loopbackSettings(), "/a"))
                .isEqualTo(new TaskOutcome.Failed("redirect loop", ReasonClass.ERROR, 302));
    }

    @Test
    void failsAfterTooManyRedirects() throws Exception {
        for (int i = 0; i < 10; i++) {
            site.redirect("/hop/" + i, "/hop/" + (i + 1));
        }

        assertThat(crawl(loopbackSettings(), "/hop/0"))
                .isEqualTo(new TaskOutcome.Failed("too many redirects", ReasonClass.ERROR, 302));
        assertThat(site.hits("/hop/5")).isEqualTo(1);
        assertThat(site.hits("/hop/6")).isZero();
    }

    @Test
    void refusesNonHtmlContentAsPolicyWithoutDownloadingIt() throws Exception {
        site.body("/logo.png", 200, "image/png", new byte[64 * 1024]);

        assertThat(crawl(loopbackSettings(), "/logo.png"))
                .isEqualTo(new TaskOutcome.Failed("unsupported content type image/png", ReasonClass.POLICY, 200));
    }

    @Test
    void cutsTheBodyAtTheByteCapAndMarksTheDocumentTruncated() throws Exception {
        String html = "<html><body><p>" + "x".repeat(50_000) + "</p></body></html>";
        site.html("/big", html);
        WorkerSettings capped = loopbackSettings().withLimits(10_000, 200_000, 5, 2_000);

        TaskOutcome outcome = crawl(capped, "/big");

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Completed.class, done -> {
            assertThat(done.bytes()).isEqualTo(10_000);
            assertThat(done.bodyTruncated()).isTrue();
        });
    }

    @Test
    void blocksLoopbackUnlessItIsExplicitlyAllowed() throws Exception {
        site.html("/page", "<p>secret</p>");
        WorkerSettings denyPrivate = loopbackSettings().withAllowedPrivateCidrs(List.of());

        assertThat(crawl(denyPrivate, "/page"))
                .isEqualTo(new TaskOutcome.Failed("blocked address 127.0.0.1", ReasonClass.POLICY, null));
        assertThat(site.hits("/page")).isZero();
    }

    @Test
    void blocksARedirectToAnInternalAddress() throws Exception {
        site.redirect("/out", "http://169.254.169.254/latest/meta-data/");

        assertThat(crawl(loopbackSettings(), "/out"))
                .isEqualTo(new TaskOutcome.Failed("blocked address 169.254.169.254", ReasonClass.POLICY, null));
    }

    @Test
    void honoursRobotsTxtDisallowForItsUserAgent() throws Exception {
        site.body("/robots.txt", 200, "text/plain",
                "User-agent: trawlbot\nDisallow: /private\n".getBytes(StandardCharsets.UTF_8))
                .html("/private/page", "<p>no</p>");

        assertThat(crawl(loopbackSettings(), "/private/page"))
                .isEqualTo(new TaskOutcome.Failed("robots.txt disallows", ReasonClass.POLICY, null));
        assertThat(site.hits("/private/page")).isZero();
    }

    @Test
    void retriesServerErrorsAFewTimesThenFails() throws Exception {
        site.body("/flaky", 503, "text/html", "busy".getBytes(StandardCharsets.UTF_8));

        assertThat(crawl(loopbackSettings(), "/flaky"))
                .isEqualTo(new TaskOutcome.Failed("http 503", ReasonClass.ERROR, 503));
        assertThat(site.hits("/flaky")).isEqualTo(3);
    }

    @Test
    void failsASlowPageWithATimeout() throws Exception {
        site.route("/slow", ex -> {
            try {
                Thread.sleep(3_000); // the server is slow; the test itself waits for nothing but the crawl
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WorkerSettings noRetry = loopbackSettings().withRetries(0, Duration.ZERO);

        TaskOutcome outcome = crawl(noRetry, "/slow");

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("timeout after 500ms");
            assertThat(failed.reasonClass()).isEqualTo(ReasonClass.ERROR);
        });
    }

    @Test
    void defersATaskWhosePolitenessSlotIsTooLateCountingItsRobotsTxtRequest() throws Exception {
        site.html("/page", "<p>x</p>");
        WorkerSettings slow = loopbackSettings().withPolitenessDelay(Duration.ofMinutes(1));
        PageCrawler crawler = crawler(slow);
        CrawlTask task = new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();

        // robots.txt took the host's slot: the page would have to wait a minute
        assertThat(crawler.process(task, TaskContext.standalone("host", deadline)))
                .isInstanceOf(TaskOutcome.Deferred.class);
        assertThat(crawler.process(task, TaskContext.standalone("host", deadline)))
                .isInstanceOf(TaskOutcome.Deferred.class);
        assertThat(site.hits("/robots.txt")).isEqualTo(1);
        assertThat(site.hits("/page")).isZero();
    }

    @Test
    void thePageWaitsTheCrawlDelayAfterTheRobotsTxtRequestAndTheDelayIsObserved() throws Exception {
        site.body("/robots.txt", 200, "text/plain", "User-agent: *\nCrawl-delay: 1\n".getBytes(StandardCharsets.UTF_8))
                .html("/page", "<p>x</p>");
        TaskContext context = TaskContext.standalone("127.0.0.1", System.nanoTime() + Duration.ofMinutes(1).toNanos());

        TaskOutcome outcome = crawler(loopbackSettings()).process(
                new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now()), context);

        assertThat(outcome).isInstanceOf(TaskOutcome.Completed.class);
        long robots = site.hitTimes("/robots.txt").get(0);
        long page = site.hitTimes("/page").get(0);
        assertThat(Duration.ofNanos(page - robots)).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        assertThat(context.hostDelay()).isEqualTo(new TaskContext.HostDelay("127.0.0.1", 1_000));
    }

    @Test
    void observesNoHostDelayWhenRobotsTxtIsUnavailable() throws Exception {
        site.body("/robots.txt", 503, "text/plain", "busy".getBytes(StandardCharsets.UTF_8));
        TaskContext context = TaskContext.standalone("127.0.0.1", System.nanoTime() + Duration.ofMinutes(1).toNanos());

        TaskOutcome outcome = crawler(loopbackSettings()).process(
                new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now()), context);

        assertThat(outcome).isEqualTo(new TaskOutcome.Failed("robots.txt unavailable (http 503)", ReasonClass.ERROR,
                null));
        assertThat(context.hostDelay()).isNull();
    }

    @Test
    void aTaskOfAStoppedParentMakesNoRequestAtAll() throws Exception {
        site.html("/page", "<p>x</p>");
        TaskContext stopped = new TaskContext("127.0.0.1", TaskContext.NO_PARTITION,
                System.nanoTime() + Duration.ofMinutes(1).toNanos(), () -> false, () -> true);

        TaskOutcome outcome = crawler(loopbackSettings()).process(
                new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now()), stopped);

        assertThat(outcome).isEqualTo(new TaskOutcome.Cancelled("cancelled before start"));
        assertThat(site.hits("/robots.txt") + site.hits("/page")).isZero();
    }

    @Test
    void aParentStoppedAfterTheRobotsTxtRequestStopsTheTaskBeforeItsPageRequest() throws Exception {
        site.html("/page", "<p>x</p>");
        // the parent stops as soon as robots.txt was served, so between the task's first request and its page
        TaskContext stoppingMidway = new TaskContext("127.0.0.1", TaskContext.NO_PARTITION,
                System.nanoTime() + Duration.ofMinutes(1).toNanos(), () -> false,
                () -> site.hits("/robots.txt") > 0);

        TaskOutcome outcome = crawler(loopbackSettings()).process(
                new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now()), stoppingMidway);

        assertThat(outcome).isEqualTo(new TaskOutcome.Cancelled("cancelled before start"));
        assertThat(site.hits("/robots.txt")).isEqualTo(1);
        assertThat(site.hits("/page")).isZero();
    }

    @Test
    void aPageFetchedAfterItsParentStoppedIsNotConverted() throws Exception {
        site.html("/page", "<p>x</p>");
        // the parent stops while the page is being served: the page came, its document is not wanted
        TaskContext stoppedDuringTheFetch = new TaskContext("127.0.0.1", TaskContext.NO_PARTITION,
                System.nanoTime() + Duration.ofMinutes(1).toNanos(), () -> false,
                () -> site.hits("/page") > 0);

        TaskOutcome outcome = crawler(loopbackSettings()).process(
                new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now()), stoppedDuringTheFetch);

        assertThat(outcome).isEqualTo(new TaskOutcome.Cancelled("cancelled while running"));
        assertThat(site.hits("/page")).isEqualTo(1);
    }

    @Test
    void aNewlyAcquiredPartitionsFirstRequestWaitsTheHostDelayTheTaskCarries() throws Exception {
        site.html("/page", "<p>x</p>");
        PageCrawler crawler = crawler(loopbackSettings());
        long handOver = System.nanoTime();
        crawler.partitionsAcquired(List.of(5));
        CrawlTask task = new CrawlTask("parent", "child", site.url("/page"), 0, 1, 1, Instant.now(), 1_000);
        TaskContext context = new TaskContext("127.0.0.1", 5, System.nanoTime() + Duration.ofMinutes(1).toNanos(),
                () -> false, () -> false);

        assertThat(crawler.process(task, context)).isInstanceOf(TaskOutcome.Completed.class);
        // no robots.txt Crawl-delay and no configured delay: only the reported one holds robots.txt back
        assertThat(Duration.ofNanos(site.hitTimes("/robots.txt").get(0) - handOver))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
}

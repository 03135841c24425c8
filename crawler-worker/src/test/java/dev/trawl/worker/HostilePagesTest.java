package dev.trawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.testkit.HostileSite;
import dev.trawl.worker.fetch.AddressPolicy;
import dev.trawl.worker.fetch.Fetcher;
import dev.trawl.worker.fetch.HostPoliteness;
import dev.trawl.worker.fetch.RobotsPolicy;
import dev.trawl.worker.parse.PageConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every page of the hostile site ends in the right outcome with a readable reason. The site listens on
 * 127.0.0.3 and the crawler opens exactly 127.0.0.3/32, so the rest of loopback (127.0.0.1) stays denied as it is
 * in production.
 */
class HostilePagesTest {

    private static final int CAP = 1024 * 1024;
    private static HostileSite site;
    private static Fetcher fetcher;

    @BeforeAll
    static void start() {
        site = HostileSite.start("127.0.0.3", 0);
    }

    @AfterAll
    static void stop() {
        site.close();
        if (fetcher != null) {
            fetcher.close();
        }
    }

    static WorkerSettings hostileSettings() {
        return WorkerSettings.defaults("unused:9092")
                .withAllowedPrivateCidrs(List.of("127.0.0.3/32"))
                .withPolitenessDelay(Duration.ZERO)
                .withRetries(2, Duration.ofMillis(20))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withLimits(CAP, 200_000, 5, 2_000);
    }

    private static synchronized PageCrawler crawler(WorkerSettings settings) {
        Fetcher f = new Fetcher(new Fetcher.Options(settings.userAgent(), settings.connectTimeout(),
                settings.readTimeout(), settings.fetchDeadline(), settings.maxRedirects()),
                new AddressPolicy(settings.allowedPrivateCidrs()), 8);
        return new PageCrawler(settings, f,
                new RobotsPolicy(f, settings.userAgent(), settings.robotsCacheTtl(), settings.maxCrawlDelay()),
                new HostPoliteness(), new PageConverter(settings.maxLinks(), settings.maxMarkdownChars()));
    }

    private static TaskOutcome crawl(HostileSite on, WorkerSettings settings, String path) throws Exception {
        CrawlTask task = new CrawlTask("parent", "child", on.url(path), 1, 1, 1, Instant.now());
        return crawler(settings).process(task, TaskContext.standalone("127.0.0.3",
                System.nanoTime() + Duration.ofMinutes(1).toNanos()));
    }

    private static TaskOutcome crawl(String path) throws Exception {
        return crawl(site, hostileSettings(), path);
    }

    private static void assertTruncatedAtTheCap(TaskOutcome outcome) {
        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Completed.class, done -> {
            assertThat(done.bytes()).isEqualTo(CAP);
            assertThat(done.bodyTruncated()).isTrue();
        });
    }

    @Test
    void aSlowDripBodyEndsAtTheFetchDeadline() throws Exception {
        TaskOutcome outcome = crawl(site, hostileSettings().withRetries(0, Duration.ZERO), "/slow-drip");

        assertThat(outcome).isEqualTo(new TaskOutcome.Failed("timeout after 2s", ReasonClass.ERROR, null));
    }

    @Test
    void anEndlessBodyIsCutAtTheCapAndFlaggedTruncated() throws Exception {
        assertTruncatedAtTheCap(crawl("/endless"));
    }

    @Test
    void aFiftyMegabytePageIsCutAtTheCapAndFlaggedTruncated() throws Exception {
        assertTruncatedAtTheCap(crawl("/huge"));
    }

    @Test
    void aGzipBombIsCutAtTheCapInDecodedBytes() throws Exception {
        assertTruncatedAtTheCap(crawl("/gzip-bomb"));
    }

    @Test
    void aGzipPageIsDecoded() throws Exception {
        assertThat(crawl("/gzip-ok")).isInstanceOfSatisfying(TaskOutcome.Completed.class,
                done -> assertThat(done.page().markdown()).contains("# Compressed page"));
    }

    @Test
    void aRedirectLoopFails() throws Exception {
        assertThat(crawl("/redirect-loop")).isEqualTo(new TaskOutcome.Failed("redirect loop", ReasonClass.ERROR, 302));
    }

    @Test
    void aRedirectToLoopbackIsBlockedWhenOnlyTheSiteAddressIsOpen() throws Exception {
        assertThat(crawl("/redirect-to-loopback"))
                .isEqualTo(new TaskOutcome.Failed("blocked address 127.0.0.1", ReasonClass.POLICY, null));
    }

    @Test
    void aRedirectToTheCloudMetadataAddressIsBlocked() throws Exception {
        assertThat(crawl("/redirect-to-metadata"))
                .isEqualTo(new TaskOutcome.Failed("blocked address 169.254.169.254", ReasonClass.POLICY, null));
    }

    @Test
    void anInvalidCharsetFallsBackToDetection() throws Exception {
        assertThat(crawl("/bad-charset")).isInstanceOfSatisfying(TaskOutcome.Completed.class,
                done -> assertThat(done.page().markdown()).contains("Bad charset"));
    }

    @Test
    void binaryServedAsHtmlIsRefusedAsPolicy() throws Exception {
        assertThat(crawl("/binary"))
                .isEqualTo(new TaskOutcome.Failed("binary content served as text/html", ReasonClass.POLICY, 200));
    }

    @Test
    void aServerErrorThenSuccessCompletesOnRetry() throws Exception {
        HostileSite own = HostileSite.start("127.0.0.3", 0);
        try (own) {
            assertThat(crawl(own, hostileSettings(), "/flaky")).isInstanceOf(TaskOutcome.Completed.class);
            assertThat(own.hits("/flaky")).isEqualTo(2);
        }
    }

    @Test
    void aMissingPageFailsAtOnce() throws Exception {
        assertThat(crawl("/missing")).isEqualTo(new TaskOutcome.Failed("http 404", ReasonClass.ERROR, 404));
    }

    @Test
    void tooManyRequestsIsRetriedNoSoonerThanRetryAfter() throws Exception {
        HostileSite own = HostileSite.start("127.0.0.3", 0);
        try (own) {
            assertThat(crawl(own, hostileSettings(), "/rate-limited")).isInstanceOf(TaskOutcome.Completed.class);
            List<Long> hits = own.hitTimes("/rate-limited");
            assertThat(hits).hasSize(2);
            assertThat(Duration.ofNanos(hits.get(1) - hits.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void tooManyRequestsWithARetryAfterBeyondTheCapFailsAtOnce() throws Exception {
        HostileSite own = HostileSite.start("127.0.0.3", 0);
        try (own) {
            WorkerSettings lowCap = hostileSettings().withScheduling(Duration.ZERO, Duration.ofMinutes(30),
                    Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMillis(500));
            assertThat(crawl(own, lowCap, "/rate-limited"))
                    .isEqualTo(new TaskOutcome.Failed("http 429 (retry after 1s)", ReasonClass.ERROR, 429));
            assertThat(own.hits("/rate-limited")).isEqualTo(1);
        }
    }

    @Test
    void robotsTxtDisallowIsAPolicyOutcomeWithoutARequest() throws Exception {
        assertThat(crawl("/private/secret"))
                .isEqualTo(new TaskOutcome.Failed("robots.txt disallows", ReasonClass.POLICY, null));
        assertThat(site.hits("/private/secret")).isZero();
    }

    @Test
    void aNonHtmlTypeIsAPolicyOutcome() throws Exception {
        assertThat(crawl("/image"))
                .isEqualTo(new TaskOutcome.Failed("unsupported content type image/png", ReasonClass.POLICY, 200));
    }

    @Test
    void robotsTxtCrawlDelaySpacesRequestsToTheHost() throws Exception {
        HostileSite slow = HostileSite.start("127.0.0.3", 0.5);
        try (slow) {
            PageCrawler crawler = crawler(hostileSettings());
            long latest = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            for (int i = 0; i < 3; i++) {
                CrawlTask task = new CrawlTask("parent", "child-" + i, slow.url("/ok"), 1, 1, 1, Instant.now());
                assertThat(crawler.process(task, TaskContext.standalone("127.0.0.3", latest)))
                        .isInstanceOf(TaskOutcome.Completed.class);
            }
            List<Long> hits = slow.hitTimes("/ok");
            assertThat(hits).hasSize(3);
            for (int i = 1; i < hits.size(); i++) {
                assertThat(Duration.ofNanos(hits.get(i) - hits.get(i - 1)))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(480));
            }
        }
    }
}

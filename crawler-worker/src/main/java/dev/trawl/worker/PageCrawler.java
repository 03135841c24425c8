package dev.trawl.worker;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.worker.fetch.FetchResult;
import dev.trawl.worker.fetch.Fetcher;
import dev.trawl.worker.fetch.HostPoliteness;
import dev.trawl.worker.fetch.RobotsPolicy;
import dev.trawl.worker.parse.ConvertedPage;
import dev.trawl.worker.parse.PageConverter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Crawls one task: robots.txt, politeness, fetch with bounded retries of transient errors, conversion. Never
 * throws for anything a web server can do; every way a page can go wrong ends in a {@link TaskOutcome.Failed}
 * with a readable reason.
 *
 * <p>Politeness is kept per host shard (the task's record key): a host whose budget the scheduler split over
 * {@code hostShards} shards gets {@code delay * hostShards} per shard, so the host as a whole still sees at most
 * one request per {@code delay} however the shards are spread over worker instances.
 */
public final class PageCrawler {

    private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml");
    /** A response without a Content-Type is tried as HTML: jsoup reads anything, and such servers are common. */
    private static final Predicate<String> ACCEPTED_MIME = mime -> mime.isEmpty() || HTML_TYPES.contains(mime);

    private final WorkerSettings settings;
    private final Fetcher fetcher;
    private final RobotsPolicy robots;
    private final HostPoliteness politeness;
    private final PageConverter converter;

    public PageCrawler(WorkerSettings settings, Fetcher fetcher, RobotsPolicy robots, HostPoliteness politeness,
                       PageConverter converter) {
        this.settings = settings;
        this.fetcher = fetcher;
        this.robots = robots;
        this.politeness = politeness;
        this.converter = converter;
    }

    /**
     * @param politenessKey     the task's host shard key
     * @param latestStartNanos  the first request must start by then ({@link System#nanoTime()} scale), else the
     *                          task is {@linkplain TaskOutcome.Deferred deferred}
     * @param stopping          true once the worker is shutting down: tasks not started yet are deferred
     * @throws InterruptedException when the worker is stopped hard
     */
    public TaskOutcome crawl(CrawlTask task, String politenessKey, long latestStartNanos, BooleanSupplier stopping)
            throws InterruptedException {
        if (task.url() == null || UrlNormalizer.normalize(task.url()).isEmpty()) {
            return new TaskOutcome.Failed("invalid url", ReasonClass.POLICY, null);
        }
        URI uri = URI.create(UrlNormalizer.normalize(task.url()).get());
        if (stopping.getAsBoolean()) {
            return new TaskOutcome.Deferred();
        }
        RobotsPolicy.Rules rules = robots.rulesFor(uri);
        if (rules.unavailableReason() != null) {
            return new TaskOutcome.Failed(rules.unavailableReason(), ReasonClass.ERROR, null);
        }
        if (!rules.isAllowed(uri.toString())) {
            return new TaskOutcome.Failed("robots.txt disallows", ReasonClass.POLICY, null);
        }
        Duration delay = settings.politenessDelay().compareTo(rules.crawlDelay()) >= 0 ? settings.politenessDelay()
                : rules.crawlDelay();
        Duration interval = delay.multipliedBy(Math.max(1, task.hostShards()));

        FetchResult.Failure lastFailure = null;
        Duration retryAfter = null;
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt == 0) {
                if (stopping.getAsBoolean()) {
                    return new TaskOutcome.Deferred();
                }
                long start = politeness.reserve(politenessKey, interval, latestStartNanos);
                if (start == Long.MIN_VALUE || !awaitSlot(start, stopping)) {
                    return new TaskOutcome.Deferred();
                }
            } else {
                Duration backoff = settings.retryBackoff().multipliedBy(1L << (attempt - 1));
                if (retryAfter != null && retryAfter.compareTo(backoff) > 0) {
                    backoff = retryAfter; // the server said when; never sooner
                }
                Thread.sleep(backoff.toMillis());
                politeness.await(politenessKey, interval);
            }
            long fetchStart = CrawlMetrics.threadCpuNanos();
            FetchResult result = fetcher.fetch(uri.toString(), ACCEPTED_MIME, settings.maxBodyBytes(),
                    hop -> awaitHop(hop, uri, politenessKey, interval));
            CrawlMetrics.add(CrawlMetrics.Phase.FETCH, fetchStart);
            if (result instanceof FetchResult.Failure failure) {
                if (failure.transientError()) {
                    lastFailure = failure;
                    continue;
                }
                return new TaskOutcome.Failed(failure.reason(), failure.reasonClass(), failure.httpStatus());
            }
            FetchResult.Response response = (FetchResult.Response) result;
            int status = response.httpStatus();
            if (status == 429 || status >= 500) {
                lastFailure = new FetchResult.Failure("http " + status, ReasonClass.ERROR, status, true);
                retryAfter = response.retryAfter();
                if (retryAfter != null && retryAfter.compareTo(settings.maxCrawlDelay()) > 0) {
                    // waiting that long would hold the batch hostage; the child fails with the server's answer
                    return new TaskOutcome.Failed("http " + status + " (retry after " + retryAfter.toSeconds()
                            + "s)", ReasonClass.ERROR, status);
                }
                continue;
            }
            if (status < 200 || status >= 300) {
                return new TaskOutcome.Failed("http " + status, ReasonClass.ERROR, status);
            }
            if (!ACCEPTED_MIME.test(response.mimeType())) {
                return new TaskOutcome.Failed("unsupported content type " + response.mimeType(), ReasonClass.POLICY,
                        status);
            }
            return convert(response);
        }
        return new TaskOutcome.Failed(lastFailure.reason(), ReasonClass.ERROR, lastFailure.httpStatus());
    }

    private TaskOutcome convert(FetchResult.Response response) {
        if (looksBinary(response.body(), response.charset())) {
            return new TaskOutcome.Failed("binary content served as " + (response.mimeType().isEmpty()
                    ? "html" : response.mimeType()), ReasonClass.POLICY, response.httpStatus());
        }
        try {
            ConvertedPage page = converter.convert(response.body(), response.charset(), response.finalUrl());
            return new TaskOutcome.Completed(response.finalUrl(), response.httpStatus(), response.body().length,
                    response.truncated(), page, Instant.now());
        } catch (RuntimeException e) {
            // a converter bug on a hostile page must not poison the partition: the child fails, readably
            return new TaskOutcome.Failed("unreadable page: " + e.getClass().getSimpleName(), ReasonClass.ERROR,
                    response.httpStatus());
        }
    }

    /**
     * NUL bytes or mostly control characters in the first KiB: an image or archive labelled text/html. UTF-16
     * text has NULs too, so a declared or BOM-marked UTF-16/32 page is not judged.
     */
    static boolean looksBinary(byte[] body, String charset) {
        if (charset != null && charset.toLowerCase(java.util.Locale.ROOT).startsWith("utf-16")
                || charset != null && charset.toLowerCase(java.util.Locale.ROOT).startsWith("utf-32")
                || body.length >= 2 && ((body[0] == (byte) 0xfe && body[1] == (byte) 0xff)
                || (body[0] == (byte) 0xff && body[1] == (byte) 0xfe))) {
            return false;
        }
        int n = Math.min(body.length, 1024);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = body[i] & 0xff;
            if (b == 0) {
                return true;
            }
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f') {
                control++;
            }
        }
        return n > 0 && control * 10 > n;
    }

    /** Waits for a politeness slot in short steps, giving up (false) when the worker starts stopping. */
    private boolean awaitSlot(long startNanos, BooleanSupplier stopping) throws InterruptedException {
        long step = Duration.ofMillis(100).toNanos();
        while (startNanos - System.nanoTime() > step) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            politeness.waitUntil(System.nanoTime() + step);
        }
        politeness.waitUntil(startNanos);
        return !stopping.getAsBoolean();
    }

    private void awaitHop(URI hop, URI origin, String politenessKey, Duration interval) {
        String key = hop.getHost() != null && hop.getHost().equalsIgnoreCase(origin.getHost()) ? politenessKey
                : hop.getHost();
        try {
            politeness.await(key, interval);
        } catch (InterruptedException e) {
            // the fetch sees the flag at its next blocking call and ends with an InterruptedException
            Thread.currentThread().interrupt();
        }
    }
}

package dev.trawl.worker;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.worker.delivery.TaskProcessor;
import dev.trawl.worker.fetch.FetchResult;
import dev.trawl.worker.fetch.Fetcher;
import dev.trawl.worker.fetch.HostPoliteness;
import dev.trawl.worker.fetch.RobotsPolicy;
import dev.trawl.worker.parse.ConvertedPage;
import dev.trawl.worker.parse.PageConverter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Crawls one task: robots.txt, politeness, fetch with bounded retries of transient errors, conversion. Never
 * throws for anything a web server can do; every way a page can go wrong ends in a {@link TaskOutcome.Failed}
 * with a readable reason.
 *
 * <p>Politeness is kept per politeness key (the task's record key), {@code max(politeness-delay, Crawl-delay)}
 * between two requests, the robots.txt request included. The scheduler keys every task of a host with a delay by
 * the plain host, so one worker at a time serves it, and spreads a host over {@code host#n} keys
 * ({@code hostShards > 1}) only once a worker reported it without delay ({@code HostDelayObserved}): each shard then
 * waits nothing, which is the host's own rule. Should such a host gain a delay (robots.txt reloaded), this worker
 * keeps it per key and reports it, and the scheduler keys the host's next tasks by the plain host again.
 *
 * <p>Before this worker read a host's robots.txt it does not know its Crawl-delay; the robots.txt request is then
 * spaced by the larger of the configured delay and the one the task carries (what a worker reported to the
 * scheduler), which also holds a new owner of the task's partition back that long after the hand-over.
 *
 * <p>A task does not start once its parent was cancelled or stopped: that is checked right before its first
 * request (robots.txt or the page), after any wait for a politeness slot, and ends it {@link TaskOutcome.Cancelled};
 * a page fetched when its parent has stopped meanwhile is not converted: it ends cancelled too, without a document.
 */
public final class PageCrawler implements TaskProcessor {

    private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml");
    /** A response without a Content-Type is tried as HTML: jsoup reads anything, and such servers are common. */
    private static final Predicate<String> ACCEPTED_MIME = mime -> mime.isEmpty() || HTML_TYPES.contains(mime);
    private static final long SLOT_WAIT_STEP_NANOS = Duration.ofMillis(50).toNanos();

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

    /** Requests to hosts of these partitions wait one delay from now: another worker may have just served them. */
    @Override
    public void partitionsAcquired(Collection<Integer> partitions) {
        politeness.partitionsAcquired(partitions);
    }

    @Override
    public void previousOwnerDelay(int partition, Duration delay) {
        politeness.previousOwnerDelay(partition, delay);
    }

    @Override
    public Duration delayKept(int partition) {
        return politeness.delayKept(partition);
    }

    /** Crawls {@code task}. @throws InterruptedException when the worker is stopped hard */
    @Override
    public TaskOutcome process(CrawlTask task, TaskContext context) throws InterruptedException {
        Optional<String> normalised = task.url() == null ? Optional.empty() : UrlNormalizer.normalize(task.url());
        if (normalised.isEmpty()) {
            return new TaskOutcome.Failed("invalid url", ReasonClass.POLICY, null);
        }
        URI uri = URI.create(normalised.get());
        TaskOutcome notNow = notNow(context);
        if (notNow != null) {
            return notNow;
        }
        TaskOutcome[] robotsNotRequested = {null};
        boolean[] robotsRequested = {false};
        // the robots.txt request is the host's next request: spaced like a page, by the delay known so far (the
        // configured one, or the one a worker reported to the scheduler, which the task carries)
        Duration knownDelay = task.hostDelayMs() > settings.politenessDelay().toMillis()
                ? Duration.ofMillis(task.hostDelayMs()) : settings.politenessDelay();
        RobotsPolicy.Rules rules = robots.rulesFor(uri, () -> {
            robotsNotRequested[0] = awaitFirstRequest(context, knownDelay);
            robotsRequested[0] = robotsNotRequested[0] == null;
            return robotsRequested[0];
        });
        if (robotsRequested[0]) {
            politeness.requestEnded(context.politenessKey(), context.partition());
        }
        if (rules == null) {
            return robotsNotRequested[0];
        }
        if (rules.unavailableReason() != null) {
            return new TaskOutcome.Failed(rules.unavailableReason(), ReasonClass.ERROR, null);
        }
        Duration delay = settings.politenessDelay().compareTo(rules.crawlDelay()) >= 0 ? settings.politenessDelay()
                : rules.crawlDelay();
        context.observeHostDelay(UrlNormalizer.host(normalised.get()), delay);
        if (!rules.isAllowed(uri.toString())) {
            return new TaskOutcome.Failed("robots.txt disallows", ReasonClass.POLICY, null);
        }

        FetchResult.Failure lastFailure = null;
        Duration retryAfter = null;
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt == 0) {
                TaskOutcome waited = awaitFirstRequest(context, delay);
                if (waited != null) {
                    return waited;
                }
            } else {
                Duration backoff = settings.retryBackoff().multipliedBy(1L << (attempt - 1));
                if (retryAfter != null && retryAfter.compareTo(backoff) > 0) {
                    backoff = retryAfter; // the server said when; never sooner
                }
                Thread.sleep(backoff.toMillis());
                politeness.await(context.politenessKey(), context.partition(), delay);
            }
            long fetchStart = CrawlMetrics.threadCpuNanos();
            LastRequest last = new LastRequest(context.politenessKey(), context.partition());
            FetchResult result = fetcher.fetch(uri.toString(), ACCEPTED_MIME, settings.maxBodyBytes(),
                    hop -> awaitHop(hop, uri, context, delay, last));
            politeness.requestEnded(last.key, last.partition);
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
            if (context.parentStopped()) {
                // cancelled while the page was on its way: converting it would spend the CPU the other crawls
                // need on a document nobody wants, and hold the cancel's terminal snapshot back
                return new TaskOutcome.Cancelled(TaskOutcome.Cancelled.WHILE_RUNNING);
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

    /** Deferred when the batch is given up, cancelled when the parent stopped, else null: the task may go on. */
    private static TaskOutcome notNow(TaskContext context) {
        if (context.stopping()) {
            return new TaskOutcome.Deferred();
        }
        if (context.parentStopped()) {
            return new TaskOutcome.Cancelled(TaskOutcome.Cancelled.BEFORE_START);
        }
        return null;
    }

    /**
     * Reserves the politeness slot of the task's next request and waits for it in short steps, looking at the
     * batch and the parent at each step and once more right before the request.
     *
     * @return null when the request may start now, else the outcome that ends the task without it
     */
    private TaskOutcome awaitFirstRequest(TaskContext context, Duration interval) throws InterruptedException {
        long start = politeness.reserve(context.politenessKey(), context.partition(), interval,
                context.latestStartNanos());
        if (start == Long.MIN_VALUE) {
            return new TaskOutcome.Deferred();
        }
        while (start - System.nanoTime() > SLOT_WAIT_STEP_NANOS) {
            TaskOutcome notNow = notNow(context);
            if (notNow != null) {
                return notNow; // the slot stays taken: a request skipped only makes the host's gaps longer
            }
            politeness.waitUntil(System.nanoTime() + SLOT_WAIT_STEP_NANOS);
        }
        politeness.waitUntil(start);
        TaskOutcome notNow = notNow(context);
        if (notNow == null) {
            politeness.begin(context.politenessKey(), context.partition(), interval);
        }
        return notNow;
    }

    /** The politeness key of the latest request of a fetch (redirect hops may go to other hosts). */
    private static final class LastRequest {
        String key;
        int partition;

        LastRequest(String key, int partition) {
            this.key = key;
            this.partition = partition;
        }
    }

    private void awaitHop(URI hop, URI origin, TaskContext context, Duration interval, LastRequest last) {
        // the previous hop's response is in: the server saw that request by now
        politeness.requestEnded(last.key, last.partition);
        boolean sameHost = hop.getHost() != null && hop.getHost().equalsIgnoreCase(origin.getHost());
        last.key = sameHost ? context.politenessKey() : hop.getHost();
        last.partition = sameHost ? context.partition() : HostPoliteness.NO_PARTITION;
        try {
            politeness.await(last.key, last.partition, interval);
        } catch (InterruptedException e) {
            // the fetch sees the flag at its next blocking call and ends with an InterruptedException
            Thread.currentThread().interrupt();
        }
    }
}

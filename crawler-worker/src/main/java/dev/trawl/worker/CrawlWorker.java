package dev.trawl.worker;

import dev.trawl.worker.delivery.CancelledParents;
import dev.trawl.worker.delivery.TerminalParents;
import dev.trawl.worker.delivery.TransactionalTaskLoop;
import dev.trawl.worker.fetch.AddressPolicy;
import dev.trawl.worker.fetch.Fetcher;
import dev.trawl.worker.fetch.HostPoliteness;
import dev.trawl.worker.fetch.RobotsPolicy;
import dev.trawl.worker.parse.PageConverter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One crawler worker instance: a member of the worker consumer group that crawls tasks and reports them with
 * exactly-once transactions. Plain Java (no Spring), and without static mutable state, so several can run in one
 * JVM. {@link #start()} runs the loop on its own thread; {@link #close()} lets the current batch finish (tasks
 * not started yet are left for another instance) and stops.
 */
public final class CrawlWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrawlWorker.class);

    private final WorkerSettings settings;
    private final ExecutorService fetchPool;
    private final Fetcher fetcher;
    private final TransactionalTaskLoop loop;
    private final Thread thread;
    private final CancelledParents cancelledParents;
    private final WorkerActivity activity = new WorkerActivity();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Skips the queued tasks of parents that are stopping or ended, read from {@code trawl.parent-progress}. */
    public CrawlWorker(WorkerSettings settings) {
        this(settings, new TerminalParents(settings.bootstrapServers(), settings.kafkaOverrides(),
                "trawl-worker-" + settings.instanceId() + "-parents", 100_000).start());
    }

    /** @param cancelledParents closed with the worker when it is {@link AutoCloseable} */
    public CrawlWorker(WorkerSettings settings, CancelledParents cancelledParents) {
        this.settings = settings;
        this.cancelledParents = cancelledParents;
        String name = "trawl-worker-" + settings.instanceId();
        this.fetchPool = Executors.newFixedThreadPool(settings.maxInFlight(), daemonThreads(name + "-fetch"));
        this.fetcher = new Fetcher(new Fetcher.Options(settings.userAgent(), settings.connectTimeout(),
                settings.readTimeout(), settings.fetchDeadline(), settings.maxRedirects()),
                new AddressPolicy(settings.allowedPrivateCidrs()), settings.maxInFlight() + 8);
        RobotsPolicy robots = new RobotsPolicy(fetcher, settings.userAgent(), settings.robotsCacheTtl(),
                settings.maxCrawlDelay());
        PageCrawler crawler = new PageCrawler(settings, fetcher, robots, new HostPoliteness(),
                new PageConverter(settings.maxLinks(), settings.maxMarkdownChars()));
        this.loop = new TransactionalTaskLoop(settings, crawler, fetchPool, cancelledParents, activity);
        this.thread = new Thread(this::runLoop, name);
    }

    public CrawlWorker start() {
        thread.start();
        return this;
    }

    public WorkerSettings settings() {
        return settings;
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** What the task loop has done (pages by outcome, polls, transactions), for health checks and meters. */
    public WorkerActivity activity() {
        return activity;
    }

    private void runLoop() {
        try {
            loop.run();
        } catch (RuntimeException e) {
            log.error("crawler worker {} stopped on an unexpected error", settings.instanceId(), e);
        }
    }

    /** Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loop.stop();
        try {
            // a batch in flight ends within one fetch deadline (plus retries) once stopping is set
            long waitMillis = settings.fetchDeadline().multipliedBy(settings.maxRetries() + 2L).toMillis();
            thread.join(Math.max(waitMillis, 1_000));
            if (thread.isAlive()) {
                log.warn("crawler worker {} did not stop in time; interrupting it", settings.instanceId());
                fetchPool.shutdownNow();
                thread.interrupt();
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetchPool.shutdownNow();
            fetcher.close();
            if (cancelledParents instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.warn("closing the cancelled-parents reader failed: {}", e.toString());
                }
            }
            try {
                fetchPool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

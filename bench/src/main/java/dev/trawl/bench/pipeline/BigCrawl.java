package dev.trawl.bench.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One measured crawl of the big site: the watcher follows it, the ETA is polled, CPU is read at its submission and
 * when the watcher sees it end, and (for fairness) the small site's crawl of the other host is submitted
 * {@code --fair-delay} after it. Staleness is computed afterwards from the topics ({@link EventLog}).
 */
final class BigCrawl {

    private final PipelineBenchmark bench;
    private final int run;
    private final boolean withSmall;
    private double besideMs = Double.NaN;
    private long besidePages;
    private volatile String besideId;

    BigCrawl(PipelineBenchmark bench, int run, boolean withSmall) {
        this.bench = bench;
        this.run = run;
        this.withSmall = withSmall;
    }

    RunFigures.Big run() throws Exception {
        RunFigures.Quiet quiet = bench.awaitQuiet();
        Path aggregatorLog = bench.pipeline().aggregatorLog();
        long logFrom = FlowLog.position(aggregatorLog);
        CpuMeter.Sample cpuStart = bench.meter().sample();
        PipelineBenchmark.Crawl crawl = bench.submit("big " + run, bench.bigSite(), SiteServer.HOSTS.get(0),
                "big-" + run);
        CompletableFuture<Void> small = withSmall ? CompletableFuture.runAsync(() -> small(crawl))
                : CompletableFuture.completedFuture(null);
        Watcher.Arrival end;
        CpuMeter.Sample cpu;
        EtaPoller poller = new EtaPoller(bench.api(), crawl.id());
        try {
            end = bench.awaitEnd(crawl);
            cpu = bench.meter().sample().minus(cpuStart);
        } finally {
            poller.close();
        }
        long logTo = FlowLog.position(aggregatorLog);
        if (bench.options().keep()) {
            poller.write(bench.runDir().resolve("eta-big-" + run + ".csv"), end.atMicros());
        }
        try {
            small.get(bench.options().crawlTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the small crawl beside the big one failed", e.getCause());
        }
        if (besideId != null) {
            PipelineBenchmark.say("run " + run + ": small crawl beside the big one, hops: "
                    + CrawlHops.of(bench.pipeline().bootstrapServers(), besideId));
        }
        double wallMs = crawl.msUntil(end);
        if (!end.status().startsWith("completed")) {
            PipelineBenchmark.say("run " + run + ": the big crawl ended " + end.status());
            bench.markFailed();
        } else if (end.total() != bench.bigSite().pages()) {
            PipelineBenchmark.say("run " + run + ": the big crawl has " + end.total() + " children, the site "
                    + bench.bigSite().pages() + " pages");
        }
        PipelineBenchmark.say(String.format("run %d: big crawl %s: %d pages in %s; reading the topics ...", run,
                end.status(), end.finished(), Stats.duration(wallMs)));

        List<Watcher.Arrival> arrivals = bench.watcher().arrivals(crawl.id());
        EventLog events = EventLog.read(bench.pipeline().bootstrapServers(), Set.of(crawl.id()));
        Staleness staleness = Staleness.of(arrivals, events.terminalEvents(crawl.id()),
                events.snapshotRecords(crawl.id()));
        List<Long> inFlight = arrivals.stream().filter(a -> !a.terminal()).map(Watcher.Arrival::inFlight).toList();
        Long queuedMax = arrivals.stream().anyMatch(a -> a.queued() != null)
                ? arrivals.stream().filter(a -> a.queued() != null).mapToLong(Watcher.Arrival::queued).max().orElse(0)
                : null;
        return new RunFigures.Big(quiet, end.status(), end.completed(), end.failed(), end.total(), wallMs, staleness,
                arrivals.size(), cpu, inFlight, queuedMax, FlowLog.limits(aggregatorLog, logFrom, logTo),
                poller.bands(end.atMicros()));
    }

    private void small(PipelineBenchmark.Crawl big) {
        try {
            long at = big.submittedMicros() + bench.options().fairDelay().toNanos() / 1000;
            long wait = at - Watcher.nowMicros();
            if (wait > 0) {
                Thread.sleep(wait / 1000);
            }
            PipelineBenchmark.Crawl crawl = bench.submit("small beside " + run, bench.smallSite(),
                    SiteServer.HOSTS.get(1), "small-beside-" + run);
            Watcher.Arrival end = bench.awaitEnd(crawl);
            besideMs = crawl.msUntil(end);
            besidePages = end.finished();
            besideId = crawl.id();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    double besideMs() {
        return besideMs;
    }

    long besidePages() {
        return besidePages;
    }
}

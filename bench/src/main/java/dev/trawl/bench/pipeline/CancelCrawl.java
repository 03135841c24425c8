package dev.trawl.bench.pipeline;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A crawl of the big site cancelled at the first snapshot the watcher sees with {@code --cancel-at} progress (20 %)
 * and at least that fraction of the site's pages known (1,000 of 5,000), which keeps the cancel out of a crawl's
 * first second, where the progress flickers past 20 % while discovery trails completion: the time from the
 * cancel's 202 to the terminal {@code cancelled} snapshot at the watcher, and the page requests of this crawl (its
 * own path prefix) that the site's access log shows after the 202. The site logs a request when it has answered
 * it, so a fetch under way at the 202 counts as after it.
 */
final class CancelCrawl {

    private final PipelineBenchmark bench;
    private final int run;

    CancelCrawl(PipelineBenchmark bench, int run) {
        this.bench = bench;
        this.run = run;
    }

    RunFigures.Cancel run() throws Exception {
        RunFigures.Quiet quiet = bench.awaitQuiet();
        PipelineOptions options = bench.options();
        String prefix = "cancel-" + run;
        PipelineBenchmark.Crawl crawl = bench.submit("cancel " + run, bench.bigSite(), SiteServer.HOSTS.get(0),
                prefix);
        Watcher.Arrival at;
        try {
            at = bench.watcher().progressReached(crawl.id(), options.cancelAt(),
                    Math.round(options.cancelAt() * bench.bigSite().pages()))
                    .get(options.crawlTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the cancel crawl did not reach " + options.cancelAt() + " in time");
        }
        bench.api().cancel(crawl.id());
        long accepted = Watcher.nowMicros();
        Watcher.Arrival end = bench.awaitEnd(crawl);
        double terminalMs = (end.atMicros() - accepted) / 1000.0;
        // tasks already handed out may still be fetched after the terminal snapshot: count until the site has
        // heard nothing of this crawl for 3 s
        List<Long> requests = bench.server().requestTimes(prefix);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Thread.sleep(3000);
            List<Long> now = bench.server().requestTimes(prefix);
            if (now.size() == requests.size()) {
                break;
            }
            requests = now;
        }
        long after = requests.stream().filter(t -> t > accepted / 1000).count();
        if (!"cancelled".equals(end.status())) {
            PipelineBenchmark.say("run " + run + ": the cancelled crawl ended " + end.status() + ", not cancelled");
            bench.markFailed();
        }
        PipelineBenchmark.say(String.format("run %d: cancelled at %d of %d finished (progress %.0f %%); terminal "
                + "snapshot %s after the 202", run, at.finished(), at.total(), at.progress() * 100,
                Stats.duration(terminalMs)));
        PipelineBenchmark.say("run " + run + ": the cancel, ms after the 202 (record timestamps): "
                + timeline(crawl.id(), accepted / 1000, end.atMicros() / 1000));
        return new RunFigures.Cancel(quiet, end.status(), at.progress(), at.finished(), at.total(), at.inFlight(),
                terminalMs, after, requests.size());
    }

    /**
     * Where the time from the 202 to the terminal snapshot went: the cancel command's record, the first
     * {@code stopping} snapshot (the workers skip the job's tasks from when they read it), the job's last child
     * terminal event (the workers' share), the terminal snapshot's record (the aggregator's) and its arrival.
     */
    private String timeline(String jobId, long acceptedMs, long endMs) {
        EventLog events = EventLog.read(bench.pipeline().bootstrapServers(), Set.of(jobId));
        List<Long> terminal = events.terminalEvents(jobId);
        long lastVersion = events.snapshotRecords(jobId).keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        return String.format("command %s, stopping snapshot %s, last child event %s (%d after the 202), terminal "
                        + "snapshot %s, at the watcher %d", since(events.cancelRequested(jobId), acceptedMs),
                since(events.firstStopping(jobId), acceptedMs),
                since(terminal.isEmpty() ? null : terminal.get(terminal.size() - 1), acceptedMs),
                terminal.stream().filter(t -> t > acceptedMs).count(),
                since(events.snapshotRecords(jobId).get(lastVersion), acceptedMs), endMs - acceptedMs);
    }

    private static String since(Long atMs, long acceptedMs) {
        return atMs == null ? "n/a" : Long.toString(atMs - acceptedMs);
    }
}

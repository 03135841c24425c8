package dev.trawl.bench.pipeline;

import dev.trawl.bench.pipeline.PipelineOptions.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The whole pipeline as {@code ./trawl up} runs it, measured as a user meets it (issue 13, "Prove it"): a KRaft
 * broker in this JVM; the aggregator, the gateway and the workers as JVMs of their own; a generated site served by
 * a real server process (nginx when installed); one WebSocket watcher. After a warm-up crawl of a small site, each
 * run measures:
 * <ol>
 *   <li>a crawl of the big site (default 5,000 pages): pages/s, staleness of what the watcher sees (both hops),
 *       CPU seconds per process, the window (in flight, queued, the aggregator's {@code flow:} log lines), and the
 *       ETA polled every 0.5 s against the time that really remained;</li>
 *   <li>fairness: a 300-page crawl of another host alone, then submitted 2 s after the big one;</li>
 *   <li>a cancel at about 20 %: the 202 → terminal snapshot, and pages the site served after the 202.</li>
 * </ol>
 * A benchmark, not a test: it prints figures (a Markdown table at the end) and fails only when a crawl does not end.
 *
 * <p>{@code bench/run dev.trawl.bench.pipeline.PipelineBenchmark [--help]}
 */
public final class PipelineBenchmark implements AutoCloseable {

    private final PipelineOptions options;
    private final Path runDir;
    private final Path www;
    private SiteFiles bigSite;
    private SiteFiles smallSite;
    private SiteServer server;
    private Pipeline pipeline;
    private Watcher watcher;
    private GatewayApi api;
    private CpuMeter meter;
    private boolean failed;

    private PipelineBenchmark(PipelineOptions options) throws IOException {
        this.options = options;
        this.runDir = Files.createTempDirectory("trawl-pipeline-bench");
        this.www = runDir.resolve("www");
    }

    public static void main(String[] args) throws Exception {
        PipelineOptions options;
        try {
            options = PipelineOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("PipelineBenchmark: " + e.getMessage());
            System.err.println(PipelineOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(PipelineOptions.USAGE);
            return;
        }
        int exit;
        PipelineBenchmark bench = new PipelineBenchmark(options);
        Thread hook = new Thread(bench::close, "pipeline-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            exit = bench.run();
        } catch (Exception e) {
            System.err.println("PipelineBenchmark failed: " + e);
            e.printStackTrace(System.err);
            exit = 1;
        } finally {
            bench.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        System.exit(exit);
    }

    private int run() throws Exception {
        say(String.format("machine: %d cores, Java %s, load average %s; %d-page site, %d-page small site, %d workers",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                CpuMeter.loadAverage(), options.pages(), options.smallPages(), options.workers()));
        awaitLowLoad();
        Files.createDirectories(www);
        bigSite = SiteFiles.write(runDir.resolve("sites").resolve("big"), options.pages());
        smallSite = SiteFiles.write(runDir.resolve("sites").resolve("small"), options.smallPages());
        server = SiteServer.start(options.server(), runDir, www);
        say("site server: " + server.kind() + " on " + String.join(" and ", SiteServer.HOSTS) + "; run directory "
                + runDir + (options.keep() ? "" : " (removed at the end; --keep keeps it)"));
        meter = new CpuMeter(this::processGroups);

        List<RunFigures> runs = new ArrayList<>();
        for (int r = 1; r <= options.repeat(); r++) {
            if (r == 1 || options.fresh()) {
                stopCluster();
                startCluster(r);
            }
            RunFigures.Fair fair = null;
            if (options.runs(Phase.FAIR)) {
                RunFigures.Quiet quiet = awaitQuiet();
                Crawl alone = submit("small alone " + r, smallSite, SiteServer.HOSTS.get(1), "small-alone-" + r);
                Watcher.Arrival end = awaitEnd(alone);
                say(String.format("run %d: small crawl alone: %d pages in %s", r, end.finished(),
                        Stats.duration(alone.msUntil(end))));
                say("run " + r + ": small crawl alone, hops: " + CrawlHops.of(pipeline.bootstrapServers(), alone.id()));
                fair = new RunFigures.Fair(quiet, alone.msUntil(end), end.finished(), Double.NaN, 0);
            }
            RunFigures.Big big = null;
            if (options.runs(Phase.BIG)) {
                BigCrawl crawl = new BigCrawl(this, r, options.runs(Phase.FAIR));
                big = crawl.run();
                if (fair != null) {
                    fair = new RunFigures.Fair(fair.before(), fair.aloneMs(), fair.alonePages(), crawl.besideMs(),
                            crawl.besidePages());
                }
            }
            RunFigures.Cancel cancel = options.runs(Phase.CANCEL) ? new CancelCrawl(this, r).run() : null;
            RunFigures figures = new RunFigures(r, big, fair, cancel);
            runs.add(figures);
            Report.printRun(figures, options);
        }
        Report.printTable(runs, options, server.kind());
        return failed ? 1 : 0;
    }

    /**
     * Starts the cluster of {@code ./trawl up} (run {@code n}'s own with {@code --fresh}) and crawls the small site
     * once, as {@code ./trawl up}'s demo does, so that a measured crawl meets services that have started.
     */
    private void startCluster(int n) throws Exception {
        if (!options.aggregatorArgs().isEmpty() || !options.workerArgs().isEmpty()
                || !options.gatewayArgs().isEmpty()) {
            say("extra arguments: aggregator " + options.aggregatorArgs() + ", workers " + options.workerArgs()
                    + ", gateway " + options.gatewayArgs());
        }
        pipeline = Pipeline.start(options.home(), runDir.resolve("cluster-" + n), options.workers(),
                options.aggregatorArgs(), options.workerArgs(), options.gatewayArgs());
        say("pipeline up: broker " + pipeline.bootstrapServers() + " in this JVM, gateway " + pipeline.api()
                + ", processes " + pipeline.servicePids());
        api = new GatewayApi(pipeline.api());
        watcher = new Watcher(pipeline.gatewayPort());
        Crawl warm = submit("warm-up", smallSite, SiteServer.HOSTS.get(1), "warm-" + n);
        Watcher.Arrival warmEnd = awaitEnd(warm);
        say(String.format("warm-up crawl of %d pages: %s in %s", warmEnd.finished(), warmEnd.status(),
                Stats.duration(warm.msUntil(warmEnd))));
    }

    private void stopCluster() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException ignored) {
                // the gateway may be gone already
            }
            watcher = null;
        }
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
    }

    /** A submitted crawl: its id and when it was submitted (before the POST). */
    record Crawl(String id, String prefix, long submittedMicros) {
        double msUntil(Watcher.Arrival arrival) {
            return (arrival.atMicros() - submittedMicros) / 1000.0;
        }
    }

    Crawl submit(String name, SiteFiles site, String host, String prefix) throws IOException, InterruptedException {
        site.publish(www, prefix);
        long at = Watcher.nowMicros();
        String id = api.submit("bench: " + name, server.seed(host, prefix), options.maxDepth(), options.maxPages());
        watcher.subscribe(id);
        return new Crawl(id, prefix, at);
    }

    /** The crawl's terminal snapshot as the watcher saw it; fails the run when it does not come in time. */
    Watcher.Arrival awaitEnd(Crawl crawl) throws InterruptedException, ExecutionException {
        try {
            return watcher.terminal(crawl.id()).get(options.crawlTimeout().toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            pipeline.checkAlive();
            throw new IllegalStateException("crawl " + crawl.prefix() + " (" + crawl.id() + ") did not end within "
                    + options.crawlTimeout());
        }
    }

    /**
     * Waits until the machine's busy CPU over 3 s is below {@code --quiet-cores} (other engineers' builds share
     * it; the cluster's own idle work counts too), or the timeout passed.
     */
    RunFigures.Quiet awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + options.quietTimeout().toNanos();
        long nextNote = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long[] a = CpuMeter.machineTicks();
            Thread.sleep(3000);
            long[] b = CpuMeter.machineTicks();
            double busy = (b[0] - a[0]) / CpuMeter.TICKS / 3.0;
            if (busy < options.quietCores()) {
                return new RunFigures.Quiet(busy, true, CpuMeter.loadAverage());
            }
            if (System.nanoTime() > deadline) {
                say(String.format("the machine is still busy (%.2f cores); measuring anyway", busy));
                return new RunFigures.Quiet(busy, false, CpuMeter.loadAverage());
            }
            if (System.nanoTime() > nextNote) {
                say(String.format("waiting for a quiet machine: %.2f cores busy, load average %s", busy,
                        CpuMeter.loadAverage()));
                nextNote = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
        }
    }

    /** Waits until the 1-minute load average is below {@code --quiet-load}, or the timeout passed. */
    private void awaitLowLoad() throws InterruptedException {
        long deadline = System.nanoTime() + options.quietTimeout().toNanos();
        boolean said = false;
        while (CpuMeter.loadAverage1() >= options.quietLoad()) {
            if (System.nanoTime() > deadline) {
                say("the load average is still " + CpuMeter.loadAverage() + "; starting anyway");
                return;
            }
            if (!said) {
                say("waiting for the load average to fall below " + options.quietLoad() + " (now "
                        + CpuMeter.loadAverage() + ")");
                said = true;
            }
            Thread.sleep(5000);
        }
    }

    /** The processes whose CPU is measured, by the name the figures give them. */
    private Map<String, List<Long>> processGroups() {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        pipeline.servicePids().forEach((name, pid) -> groups.put(name, List.of(pid)));
        groups.put("broker (benchmark JVM)", List.of(ProcessHandle.current().pid()));
        groups.put("site server", server.pids());
        return groups;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    Watcher watcher() {
        return watcher;
    }

    GatewayApi api() {
        return api;
    }

    CpuMeter meter() {
        return meter;
    }

    Path runDir() {
        return runDir;
    }

    PipelineOptions options() {
        return options;
    }

    SiteFiles bigSite() {
        return bigSite;
    }

    SiteFiles smallSite() {
        return smallSite;
    }

    SiteServer server() {
        return server;
    }

    void markFailed() {
        failed = true;
    }

    static void say(String message) {
        System.out.println("pipeline-bench: " + message);
    }

    /** Stops everything this benchmark started; safe to call twice (the shutdown hook calls it too). */
    @Override
    public synchronized void close() {
        stopCluster();
        if (server != null) {
            server.close();
            server = null;
        }
        if (!options.keep()) {
            deleteRecursively(runDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}

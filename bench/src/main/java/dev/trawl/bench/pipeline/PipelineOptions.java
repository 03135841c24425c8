package dev.trawl.bench.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Options of {@link PipelineBenchmark}. */
record PipelineOptions(Path home, int pages, int smallPages, int workers, Set<Phase> phases, int repeat, boolean fresh,
                       String server, int maxPages, int maxDepth, double cancelAt, Duration fairDelay,
                       double quietLoad, double quietCores, Duration quietTimeout, Duration crawlTimeout, boolean keep,
                       List<String> aggregatorArgs, List<String> workerArgs, List<String> gatewayArgs,
                       boolean help) {

    /** The measured parts of a run; the warm-up crawl always comes first. */
    enum Phase {
        /** The big crawl: pages/s, staleness, CPU, the window, the ETA. */
        BIG,
        /** The small crawl of another host alone, then 2 s into the big crawl. */
        FAIR,
        /** A second big crawl, cancelled at about 20 %. */
        CANCEL
    }

    static final String USAGE = """
            usage: bench/run dev.trawl.bench.pipeline.PipelineBenchmark [options]
              the whole pipeline as ./trawl up runs it (embedded broker in this JVM; aggregator, gateway and
              workers as processes), a generated site served by nginx (or a JVM server), one WebSocket watcher.
              --pages N          pages of the big site (default 5000)
              --small-pages N    pages of the small site on the other host (default 300)
              --workers N        crawler worker processes (default 2)
              --phases LIST      of big,fair,cancel (default all three; the warm-up crawl always runs)
              --repeat N         measured runs (default 1), on one cluster: from the second on, a hot one
              --fresh            each run on a cluster of its own (new broker and services, own warm-up), so that
                                 each is a first big crawl after ./trawl up
              --server S         nginx | jdk | auto (default auto: nginx when installed)
              --max-pages N      the crawls' max_pages (default 100000, as in issue 13)
              --max-depth N      the crawls' max_depth (default 100)
              --cancel-at F      the cancel crawl is cancelled at the first snapshot with progress ≥ F and
                                 F of the site's pages known (default 0.2)
              --fair-delay S     seconds between the big crawl's and the small crawl's submissions (default 2)
              --quiet-load L     before starting, wait until the 1-minute load average is below L (default 0.7)
              --quiet-cores C    before each measured crawl, wait until the machine's busy CPU over 3 s is
                                 below C cores (default 0.35)
              --quiet-timeout S  ... for at most S seconds each, then go on and say so (default 600)
              --crawl-timeout S  a crawl that has not ended after S seconds fails the run (default 600)
              --keep             keep the temporary directory (site, logs, access log, the ETA polls as CSV)
              --aggregator-arg A an argument added to the aggregator's command line, e.g.
                                 --trawl.aggregator.flow.target-age=300ms (repeatable)
              --worker-arg A     ... to each worker's, e.g. --trawl.worker.batch-size=32 (repeatable)
              --gateway-arg A    ... to the gateway's, e.g.
                                 --trawl.gateway.ws.inline-send-completions=false (repeatable)""";

    static PipelineOptions parse(String[] args) {
        Path home = Path.of(System.getProperty("trawl.home", ".")).toAbsolutePath().normalize();
        int pages = 5000;
        int smallPages = 300;
        int workers = 2;
        Set<Phase> phases = EnumSet.allOf(Phase.class);
        int repeat = 1;
        boolean fresh = false;
        String server = "auto";
        int maxPages = 100_000;
        int maxDepth = 100;
        double cancelAt = 0.2;
        double fairDelay = 2;
        double quietLoad = 0.7;
        double quietCores = 0.35;
        int quietTimeout = 600;
        int crawlTimeout = 600;
        boolean keep = false;
        List<String> aggregatorArgs = new ArrayList<>();
        List<String> workerArgs = new ArrayList<>();
        List<String> gatewayArgs = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--pages" -> pages = (int) number(args, ++i, a);
                case "--small-pages" -> smallPages = (int) number(args, ++i, a);
                case "--workers" -> workers = (int) number(args, ++i, a);
                case "--phases" -> phases = phases(value(args, ++i, a));
                case "--repeat" -> repeat = (int) number(args, ++i, a);
                case "--fresh" -> fresh = true;
                case "--server" -> server = value(args, ++i, a);
                case "--max-pages" -> maxPages = (int) number(args, ++i, a);
                case "--max-depth" -> maxDepth = (int) number(args, ++i, a);
                case "--cancel-at" -> cancelAt = number(args, ++i, a);
                case "--fair-delay" -> fairDelay = number(args, ++i, a);
                case "--quiet-load" -> quietLoad = number(args, ++i, a);
                case "--quiet-cores" -> quietCores = number(args, ++i, a);
                case "--quiet-timeout" -> quietTimeout = (int) number(args, ++i, a);
                case "--crawl-timeout" -> crawlTimeout = (int) number(args, ++i, a);
                case "--keep" -> keep = true;
                case "--aggregator-arg" -> aggregatorArgs.add(value(args, ++i, a));
                case "--worker-arg" -> workerArgs.add(value(args, ++i, a));
                case "--gateway-arg" -> gatewayArgs.add(value(args, ++i, a));
                case "-h", "--help" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (pages < 10 || smallPages < 1 || workers < 1 || repeat < 1) {
            throw new IllegalArgumentException("--pages ≥ 10, --small-pages, --workers and --repeat ≥ 1");
        }
        if (!Set.of("auto", "nginx", "jdk").contains(server)) {
            throw new IllegalArgumentException("--server is nginx, jdk or auto");
        }
        return new PipelineOptions(home, pages, smallPages, workers, phases, repeat, fresh, server, maxPages, maxDepth,
                cancelAt, Duration.ofMillis((long) (fairDelay * 1000)), quietLoad, quietCores,
                Duration.ofSeconds(quietTimeout), Duration.ofSeconds(crawlTimeout), keep, List.copyOf(aggregatorArgs),
                List.copyOf(workerArgs), List.copyOf(gatewayArgs), help);
    }

    boolean runs(Phase phase) {
        return phases.contains(phase);
    }

    private static Set<Phase> phases(String list) {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        for (String name : list.split(",")) {
            try {
                phases.add(Phase.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown phase " + name + " (big, fair, cancel)");
            }
        }
        return phases;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static double number(String[] args, int i, String name) {
        try {
            return Double.parseDouble(value(args, i, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, not " + args[i]);
        }
    }
}

package dev.trawl.bench.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Prints a run's figures as they come, and at the end one Markdown table with a column per run. */
final class Report {

    private static final String WORKER = "crawler-worker-";
    private static final String BROKER = "broker (benchmark JVM)";

    private Report() {
    }

    static void printRun(RunFigures run, PipelineOptions options) {
        System.out.println();
        System.out.println("run " + run.run() + ":");
        rows(List.of(run), options).forEach((label, values) -> System.out.println("  " + label + ": "
                + values.get(0)));
        if (run.big() != null) {
            System.out.println("  CPU seconds by process during the big crawl:");
            run.big().cpu().seconds().forEach((name, s) -> System.out.printf(Locale.ROOT, "    %-24s %7.2f s%n",
                    name, s));
        }
        System.out.println();
    }

    static void printTable(List<RunFigures> runs, PipelineOptions options, String server) {
        System.out.println();
        System.out.printf("Whole pipeline (%d-page site, %d workers, %s site server; %s):%n%n", options.pages(),
                options.workers(), server, options.fresh() || runs.size() == 1
                        ? "each run a first big crawl on a new cluster after its warm-up crawl"
                        : "one cluster: run 1 after the warm-up crawl, the later runs on a hot cluster");
        StringBuilder header = new StringBuilder("| measure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (RunFigures run : runs) {
            header.append(" run ").append(run.run()).append(" |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        rows(runs, options).forEach((label, values) -> System.out.println("| " + label + " | "
                + String.join(" | ", values) + " |"));
        System.out.println();
    }

    private static Map<String, List<String>> rows(List<RunFigures> runs, PipelineOptions options) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        if (runs.stream().anyMatch(r -> r.big() != null)) {
            bigRows(rows, runs, options);
        }
        if (runs.stream().anyMatch(r -> r.fair() != null)) {
            row(rows, runs, "small crawl of another host (" + options.smallPages() + " pages): alone / "
                    + options.fairDelay().toMillis() / 1000.0 + " s after the big one / ratio", RunFigures::fair,
                    f -> Stats.duration(f.aloneMs()) + " / " + Stats.duration(f.besideMs()) + " / "
                            + Stats.number(f.besideMs() / f.aloneMs(), 1) + "×");
        }
        if (runs.stream().anyMatch(r -> r.cancel() != null)) {
            cancelRows(rows, runs);
        }
        row(rows, runs, "machine before each measured crawl: busy cores over 3 s (load average)", r -> r,
                Report::quiet);
        return rows;
    }

    private static void bigRows(Map<String, List<String>> rows, List<RunFigures> runs, PipelineOptions options) {
        bigRow(rows, runs, "big crawl: pages, submit → terminal snapshot at the watcher, pages/s", b -> String.format(
                Locale.ROOT, "%s (%s failed) in %s: %s pages/s", Stats.integer(b.finished()),
                Stats.integer(b.failed()), Stats.duration(b.wallMs()),
                Stats.number(b.pagesPerSecond(), 0)));
        bigRow(rows, runs, "staleness at the watcher p50 / p90 / p99 / max", b -> Stats.distribution(
                b.staleness().total()));
        bigRow(rows, runs, "— terminal event → snapshot record", b -> Stats.distribution(b.staleness().toRecord()));
        bigRow(rows, runs, "— snapshot record → watcher", b -> Stats.distribution(b.staleness().toClient()));
        bigRow(rows, runs, "snapshots: received / counting more finished children (unmapped)", b -> b.received()
                + " / " + b.staleness().counted() + " (" + b.staleness().unmapped() + ")");
        bigRow(rows, runs, "CPU s (ms per page): " + options.workers() + " workers", b -> {
            List<String> each = new ArrayList<>();
            double sum = 0;
            for (Map.Entry<String, Double> e : b.cpu().seconds().entrySet()) {
                if (e.getKey().startsWith(WORKER)) {
                    each.add(Stats.number(e.getValue(), 1));
                    sum += e.getValue();
                }
            }
            return cpu(sum, b) + "; " + String.join(" + ", each);
        });
        bigRow(rows, runs, "— broker (the benchmark JVM: broker + watcher and poller, of which)", b -> cpu(
                b.cpu().seconds().get(BROKER), b) + "; " + Stats.number(b.cpu().benchClients(), 2)
                + " s");
        bigRow(rows, runs, "— aggregator", b -> cpu(b.cpu().seconds().get("progress-aggregator"), b));
        bigRow(rows, runs, "— gateway", b -> cpu(b.cpu().seconds().get("gateway"), b));
        bigRow(rows, runs, "— site server", b -> cpu(b.cpu().seconds().get("site server"), b));
        bigRow(rows, runs, "— all of these (cores on average)", b -> cpu(b.cpu().sum(), b) + " ("
                + Stats.number(b.cpu().sum() / (b.wallMs() / 1000), 2) + " cores)");
        bigRow(rows, runs, "— rest of the machine (other processes, unattributed kernel work)", b -> {
            double other = Math.max(0, b.cpu().machineBusy() - b.cpu().sum()); // sampling skew can dip below 0
            return Stats.number(other, 1) + " s (" + Stats.number(other / (b.wallMs() / 1000), 2) + " cores)";
        });
        bigRow(rows, runs, "in flight (pending − queued + running) p50 / max; queued max", b -> {
            List<Long> inFlight = b.inFlight();
            return Stats.number(Stats.median(inFlight), 0) + " / " + Stats.number(Stats.max(inFlight), 0) + "; "
                    + (b.queuedMax() == null ? "n/a (no queued field)" : Stats.integer(b.queuedMax()));
        });
        bigRow(rows, runs, "window limit (aggregator log `flow:`) min / median / max", b -> {
            List<Long> limits = b.flowLimits();
            return limits.isEmpty() ? "n/a (no flow: lines)" : Stats.number(Stats.min(limits), 0) + " / "
                    + Stats.number(Stats.median(limits), 0) + " / " + Stats.number(Stats.max(limits), 0)
                    + " (" + limits.size() + " lines)";
        });
        List<String> bands = runs.stream().filter(r -> r.big() != null).findFirst().orElseThrow().big().eta().stream()
                .map(EtaPoller.Band::name).toList();
        for (int i = 0; i < bands.size(); i++) {
            int band = i;
            bigRow(rows, runs, "ETA at " + bands.get(i) + ": polls, null; median error; max ratio (worst)",
                    b -> eta(b.eta().get(band)));
        }
    }

    private static void cancelRows(Map<String, List<String>> rows, List<RunFigures> runs) {
        cancelRow(rows, runs, "cancel: at finished of total (progress; in flight)", c -> String.format(Locale.ROOT,
                "%s of %s (%.0f %%; %s)", Stats.integer(c.finishedAtCancel()), Stats.integer(c.totalAtCancel()),
                c.progressAtCancel() * 100, Stats.integer(c.inFlightAtCancel())));
        cancelRow(rows, runs, "cancel: 202 → terminal `cancelled` snapshot at the watcher", c -> Stats.duration(
                c.terminalMs()) + ("cancelled".equals(c.status()) ? "" : " (" + c.status()
                + ")"));
        cancelRow(rows, runs, "cancel: pages the site served after the 202 (of all for that crawl)", c -> Stats.integer(
                c.requestsAfter()) + " (of " + Stats.integer(c.requestsTotal()) + ")");
    }

    private static String eta(EtaPoller.Band band) {
        if (band.polls() == 0) {
            return "no polls";
        }
        StringBuilder s = new StringBuilder().append(band.polls()).append(", ").append(band.nulls()).append(" null");
        if (!band.reasons().isEmpty()) {
            s.append(" ").append(band.reasons());
        }
        if (!Double.isNaN(band.medianRelativeError())) {
            s.append("; ").append(Stats.number(band.medianRelativeError() * 100, 0)).append(" %; ")
                    .append(Stats.number(band.maxRatio(), 1)).append("× (")
                    .append(Stats.integer(band.worstEstimate())).append(" s when ")
                    .append(Stats.number(band.worstRemaining(), 1)).append(" s remained)");
        }
        return s.toString();
    }

    private static String cpu(Double seconds, RunFigures.Big big) {
        if (seconds == null) {
            return "n/a";
        }
        return Stats.number(seconds, 1) + " s (" + Stats.number(seconds * 1000 / Math.max(1, big.finished()), 2)
                + ")";
    }

    private static String quiet(RunFigures r) {
        List<String> parts = new ArrayList<>();
        for (RunFigures.Quiet q : new RunFigures.Quiet[] {r.fair() == null ? null : r.fair().before(),
                r.big() == null ? null : r.big().before(), r.cancel() == null ? null : r.cancel().before()}) {
            if (q != null) {
                parts.add(Stats.number(q.busyCores(), 2) + (q.quiet() ? "" : " (not quiet)") + " (" + q.loadAverage()
                        + ")");
            }
        }
        return String.join("; ", parts);
    }

    private static void bigRow(Map<String, List<String>> rows, List<RunFigures> runs, String label,
                               Function<RunFigures.Big, String> value) {
        row(rows, runs, label, RunFigures::big, value);
    }

    private static void cancelRow(Map<String, List<String>> rows, List<RunFigures> runs, String label,
                                  Function<RunFigures.Cancel, String> value) {
        row(rows, runs, label, RunFigures::cancel, value);
    }

    /** A row with a value per run, or a dash where the run has no {@code part} (its phase did not run). */
    private static <T> void row(Map<String, List<String>> rows, List<RunFigures> runs, String label,
                                Function<RunFigures, T> part, Function<T, String> value) {
        List<String> values = new ArrayList<>();
        for (RunFigures run : runs) {
            T t = part.apply(run);
            values.add(t == null ? "–" : value.apply(t));
        }
        rows.put(label, values);
    }
}

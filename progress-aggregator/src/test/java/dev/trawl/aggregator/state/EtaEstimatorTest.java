package dev.trawl.aggregator.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.state.EtaEstimator.Estimate;
import dev.trawl.api.serde.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/**
 * The ETA against the time that really remained, on crawls simulated in event time: a breadth-first crawl that
 * schedules a page when it first sees a link to it, pages ending in FIFO order at a given pace, polled every
 * 100 ms. A published ETA is whole seconds, so the half second of rounding is forgiven when measuring its error.
 */
class EtaEstimatorTest {

    private static final long POLL_MILLIS = 100;
    /** The benchmark runs with max_pages 100,000: the old estimate ran discovery on until then. */
    private static final long BENCH_MAX_PAGES = 100_000;
    private static final double[][] BANDS = {{0.10, 0.30}, {0.30, 0.60}, {0.60, 1.01}};
    /** 300 pages/s, the pace of today's pipeline on the benchmark. */
    private static final Pace STEADY = page -> 1000 / 300.0;

    @Test
    void staysWithinAQuarterOfTheTruthFromThirtyPercentOnTheBenchmarksSite() {
        for (long seed : new long[] {1, 2, 3, 42}) {
            List<Poll> polls = crawl(benchmarkSite(5_000, seed), BENCH_MAX_PAGES, STEADY);
            report("5,000-page site, seed " + seed + ", 300 pages/s", polls);
            assertNeverOverThreeTimesOff(polls);
            List<Poll> late = band(polls, 0.30, 1.01);
            assertThat(medianError(late)).isLessThanOrEqualTo(0.25);
            assertThat(published(late)).hasSizeGreaterThanOrEqualTo(late.size() * 9 / 10);
        }
    }

    @Test
    void followsTheCrawlWhenWorkersEndPagesInBatchesAtAnIrregularPace() {
        Random pace = new Random(5);
        List<Poll> polls = crawl(benchmarkSite(5_000, 1), BENCH_MAX_PAGES, 30,
                page -> -Math.log(1 - pace.nextDouble()) * 1000 / 300);
        report("5,000-page site, batches of 30, exponential gaps", polls);
        assertNeverOverThreeTimesOff(polls);
        assertThat(medianError(band(polls, 0.30, 1.01))).isLessThanOrEqualTo(0.25);
    }

    @Test
    void takesMaxPagesAsTheFinalTotalOnceTheHeadroomRunsOut() {
        List<Poll> polls = crawl(benchmarkSite(5_000, 1), 1_000, STEADY);
        report("5,000-page site, max_pages 1,000", polls);
        assertThat(polls.get(polls.size() - 1).total).isEqualTo(1_000);
        assertNeverOverThreeTimesOff(polls);
        List<Poll> late = band(polls, 0.30, 1.01);
        assertThat(published(late)).hasSizeGreaterThanOrEqualTo(late.size() * 9 / 10);
        assertThat(medianError(late)).isLessThanOrEqualTo(0.25);
    }

    @Test
    void followsAHalvedCompletionRateWithinAFewSeconds() {
        List<Poll> polls = crawl(benchmarkSite(5_000, 1), BENCH_MAX_PAGES,
                page -> page <= 2_500 ? 1000 / 300.0 : 1000 / 150.0);
        report("5,000-page site, 300 then 150 pages/s", polls);
        long halvedAt = polls.stream().filter(p -> p.finished >= 2_500).findFirst().orElseThrow().now;
        List<Poll> settled = polls.stream().filter(p -> p.now >= halvedAt + 4_000).toList();
        assertThat(settled).isNotEmpty();
        published(settled).stream().max(Comparator.comparingDouble(Poll::error))
                .ifPresent(worst -> assertThat(worst.error()).as("worst: %s", worst).isLessThanOrEqualTo(0.25));
        assertNeverOverThreeTimesOff(settled);
    }

    @Test
    void foreseesACrawlThatSpeedsUpAsTheClusterWarms() {
        // a first crawl on a fresh cluster: 150 pages/s at the start, 600 at the end (JIT, a window that opens)
        List<Poll> polls = crawl(benchmarkSite(5_000, 1), BENCH_MAX_PAGES, 10,
                page -> 1000 / (150 + 450 * Math.min(1.0, page / 5_000.0)));
        report("5,000-page site, 150 rising to 600 pages/s, batches of 10", polls);
        assertNeverOverThreeTimesOff(polls);
        assertThat(medianError(band(polls, 0.30, 0.60))).isLessThanOrEqualTo(0.25);
        assertThat(medianError(band(polls, 0.30, 1.01))).isLessThanOrEqualTo(0.25);
    }

    @Test
    void neverPublishesAWildNumberWhenDiscoveryStopsAbruptlyOrKeepsPace() {
        // a pure tree's yield drops from 3 to 0 in one step; a chain of pages discovers one page per page
        List<Poll> tree = crawl(site(5_000, 3, 0, 1), BENCH_MAX_PAGES, STEADY);
        report("pure 3-ary tree of 5,000", tree);
        assertNeverOverThreeTimesOff(tree);
        List<Poll> sparse = crawl(site(5_000, 3, 1, 1), BENCH_MAX_PAGES, STEADY);
        report("3-ary tree of 5,000 plus 1 random link", sparse);
        assertNeverOverThreeTimesOff(sparse);
        List<Poll> big = crawl(site(20_000, 2, 2, 1), BENCH_MAX_PAGES, STEADY);
        report("binary tree of 20,000 plus 2 random links", big);
        assertNeverOverThreeTimesOff(big);
        List<Poll> chain = crawl(site(3_000, 0, 0, 1), BENCH_MAX_PAGES, STEADY);
        report("a chain of 3,000 pages", chain);
        assertThat(published(chain)).isEmpty();
        assertThat(chain.get(chain.size() - 1).estimate.reason())
                .isEqualTo(EtaEstimator.DISCOVERY_OUTPACES_COMPLETION);
    }

    @Test
    void saysWarmingUpForASinglePageCrawl() {
        EtaEstimator eta = new EtaEstimator();
        eta.scheduled(1_000);
        assertThat(eta.estimate(1_000, 1, 0, BENCH_MAX_PAGES - 1))
                .isEqualTo(new Estimate(null, EtaEstimator.WARMING_UP));
        eta.finished(1_200);
        assertThat(eta.estimate(1_200, 1, 1, BENCH_MAX_PAGES - 1))
                .isEqualTo(new Estimate(null, EtaEstimator.WARMING_UP));
    }

    @Test
    void saysStalledWhenNothingFinishesForLong() {
        EtaEstimator eta = new EtaEstimator();
        long now = 0;
        eta.scheduled(now);
        for (int i = 0; i < 300; i++) {
            now += 10;
            eta.scheduled(now);
            eta.finished(now);
        }
        assertThat(eta.estimate(now, 301, 300, 0).seconds()).isNotNull();
        assertThat(eta.estimate(now + 4_000, 301, 300, 0).seconds()).isNotNull();
        assertThat(eta.estimate(now + 60_000, 301, 300, 0)).isEqualTo(new Estimate(null, EtaEstimator.STALLED));
    }

    @Test
    void keepsItsStateThroughAJacksonRoundTrip() {
        EtaEstimator eta = new EtaEstimator();
        crawl(benchmarkSite(5_000, 1), BENCH_MAX_PAGES, 1, STEADY, 2_000, eta);
        String json = Json.MAPPER.writeValueAsString(eta);
        EtaEstimator copy = Json.MAPPER.readValue(json, EtaEstimator.class);
        assertThat(copy).usingRecursiveComparison().isEqualTo(eta);
        long now = eta.lastFinishMillis + 50;
        long headroom = BENCH_MAX_PAGES - eta.scheduled;
        assertThat(copy.estimate(now, eta.scheduled, eta.finished, headroom))
                .isEqualTo(eta.estimate(now, eta.scheduled, eta.finished, headroom))
                .extracting(Estimate::seconds).isNotNull();
        System.out.printf("EtaEstimator as JSON: %d bytes%n", json.length());
    }

    /**
     * Page {@code i} links to its {@code arity} children in a tree (to page {@code i + 1} with arity 0) and to
     * {@code randomLinks} pages anywhere.
     */
    private static int[][] site(int pages, int arity, int randomLinks, long seed) {
        Random random = new Random(seed);
        int[][] links = new int[pages][];
        for (int i = 0; i < pages; i++) {
            List<Integer> out = new ArrayList<>();
            long first = arity == 0 ? i + 1L : (long) arity * i + 1;
            for (long child = first; child < first + Math.max(1, arity) && child < pages; child++) {
                out.add((int) child);
            }
            for (int r = 0; r < randomLinks; r++) {
                out.add(random.nextInt(pages));
            }
            links[i] = out.stream().mapToInt(Integer::intValue).toArray();
        }
        return links;
    }

    /** The benchmark's generated site: a 3-ary link tree plus 4 random links per page. */
    private static int[][] benchmarkSite(int pages, long seed) {
        return site(pages, 3, 4, seed);
    }

    private interface Pace {
        /** Milliseconds between the ends of the {@code page - 1}th and the {@code page}th page. */
        double gapMillis(long page);
    }

    private static List<Poll> crawl(int[][] links, long maxPages, Pace pace) {
        return crawl(links, maxPages, 1, pace);
    }

    private static List<Poll> crawl(int[][] links, long maxPages, int batch, Pace pace) {
        return crawl(links, maxPages, batch, pace, Long.MAX_VALUE, new EtaEstimator());
    }

    /**
     * Crawls the site from page 0 with {@code eta} watching, pages ending {@code batch} at a time in one event-time
     * millisecond, each page's discoveries reported just before its end (a worker's order: links, then the terminal
     * status). The end time is known only afterwards, so the true remaining time is filled in last.
     */
    private static List<Poll> crawl(int[][] links, long maxPages, int batch, Pace pace, long stopAfter,
                                    EtaEstimator eta) {
        BitSet seen = new BitSet(links.length);
        ArrayDeque<Integer> frontier = new ArrayDeque<>();
        List<Poll> polls = new ArrayList<>();
        seen.set(0);
        frontier.add(0);
        eta.scheduled(0);
        long total = 1;
        long finished = 0;
        double clock = 0;
        long nextPoll = POLL_MILLIS;
        while (!frontier.isEmpty() && finished < stopAfter) {
            List<Integer> ending = new ArrayList<>();
            double end = clock;
            while (!frontier.isEmpty() && ending.size() < batch) {
                ending.add(frontier.poll());
                end += pace.gapMillis(finished + ending.size());
            }
            long at = Math.round(end);
            for (; nextPoll < at; nextPoll += POLL_MILLIS) {
                polls.add(new Poll(nextPoll, total, finished,
                        eta.estimate(nextPoll, total, finished, Math.max(0, maxPages - total))));
            }
            for (int page : ending) {
                for (int link : links[page]) {
                    if (!seen.get(link) && total < maxPages) {
                        seen.set(link);
                        frontier.add(link);
                        total++;
                        eta.scheduled(at);
                    }
                }
                eta.finished(at);
                finished++;
            }
            clock = end;
        }
        long endedAt = Math.round(clock);
        polls.forEach(p -> p.trueSeconds = (endedAt - p.now) / 1000.0);
        return polls;
    }

    private static final class Poll {
        final long now;
        final long total;
        final long finished;
        final Estimate estimate;
        double trueSeconds;

        Poll(long now, long total, long finished, Estimate estimate) {
            this.now = now;
            this.total = total;
            this.finished = finished;
            this.estimate = estimate;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "at %d ms, %d of %d done: %s against %.2f s", now, finished, total,
                    estimate, trueSeconds);
        }

        double progress() {
            return (double) finished / total;
        }

        /** Relative error beyond the half second a whole-seconds ETA rounds away. */
        double error() {
            return Math.max(0, rawError() - 0.5 / trueSeconds);
        }

        double rawError() {
            return Math.abs(estimate.seconds() - trueSeconds) / trueSeconds;
        }

        /** How many times off, the half second of rounding granted. */
        double factorOff() {
            long s = estimate.seconds();
            return Math.max((s - 0.5) / trueSeconds, trueSeconds / (s + 0.5));
        }
    }

    private static void assertNeverOverThreeTimesOff(List<Poll> polls) {
        published(polls).stream().max(Comparator.comparingDouble(Poll::factorOff))
                .ifPresent(worst -> assertThat(worst.factorOff()).as("worst: %s", worst).isLessThanOrEqualTo(3.0));
    }

    private static List<Poll> band(List<Poll> polls, double from, double to) {
        return polls.stream().filter(p -> p.progress() >= from && p.progress() < to).toList();
    }

    private static List<Poll> published(List<Poll> polls) {
        return polls.stream().filter(p -> p.estimate.seconds() != null).toList();
    }

    private static double medianError(List<Poll> polls) {
        return median(published(polls).stream().mapToDouble(Poll::error));
    }

    private static double median(DoubleStream values) {
        double[] sorted = values.sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    /** The figures per progress band, for docs/BENCHMARKS.md. */
    private static void report(String crawl, List<Poll> polls) {
        StringBuilder out = new StringBuilder("ETA, " + crawl + ", " + polls.size() + " polls\n");
        for (double[] b : BANDS) {
            List<Poll> band = band(polls, b[0], b[1]);
            List<Poll> shown = published(band);
            double worst = shown.stream().mapToDouble(Poll::factorOff).max().orElse(Double.NaN);
            Map<String, Long> nulls = band.stream().filter(p -> p.estimate.seconds() == null)
                    .collect(Collectors.groupingBy(p -> p.estimate.reason(), TreeMap::new, Collectors.counting()));
            out.append(String.format(Locale.ROOT, "  %3.0f-%3.0f%%: %3d polls, %3d published, median error %5.1f%% "
                            + "(%5.1f%% without the rounding grace), worst %.2fx off; null: %s%n",
                    100 * b[0], Math.min(100, 100 * b[1]), band.size(), shown.size(), 100 * medianError(band),
                    100 * median(shown.stream().mapToDouble(Poll::rawError)), worst, nulls));
        }
        System.out.print(out);
    }
}

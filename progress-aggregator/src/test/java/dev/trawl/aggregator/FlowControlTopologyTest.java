package dev.trawl.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.streamsinternals.CommitPacing;
import dev.trawl.aggregator.topology.ProgressTopology;
import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control on the {@link TopologyTestDriver}: simulated workers take the tasks the aggregator hands out, and
 * the test checks after every event that the window is never exceeded, per parent and for the instance, while the
 * counts stay exact and completion stays honest.
 */
class FlowControlTopologyTest {

    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, JobEvent> events;
    private TestOutputTopic<String, CrawlTask> tasks;
    private TestOutputTopic<String, ParentProgress> progress;
    private FlowControl flow;
    private Instant clock = START;
    private int seq;

    /** Tasks handed out and not finished, per parent: what the window bounds. */
    private final Map<String, Set<String>> inFlight = new HashMap<>();
    private final Map<String, Deque<KeyValue<String, CrawlTask>>> delivered = new HashMap<>();
    private final Map<String, Integer> tasksPerChild = new HashMap<>();
    private final Map<String, ParentProgress> latest = new LinkedHashMap<>();
    private final List<ParentProgress> snapshots = new ArrayList<>();
    private int perParentLimit;
    private int globalLimit;
    private long maxGlobalInFlight;

    private void start(int global, int perParent) throws Exception {
        globalLimit = global;
        perParentLimit = perParent;
        var settings = ProgressTopology.Settings.defaults()
                .withFlow(FlowControl.Settings.defaults().withFixedLimit(global, perParent));
        flow = new FlowControl(settings.flow());
        driver = new TopologyTestDriver(ProgressTopology.build(settings, CommitPacing.off(), flow),
                ProgressAggregator.properties(ProgressAggregator.Settings.defaults("dummy:9092",
                        Files.createTempDirectory("flow-ttd"))), START);
        events = driver.createInputTopic(Topics.JOB_EVENTS.name(), Serdes.String().serializer(),
                Topics.JOB_EVENTS.valueSerde().serializer());
        tasks = driver.createOutputTopic(Topics.CRAWL_TASKS.name(), Serdes.String().deserializer(),
                Topics.CRAWL_TASKS.valueSerde().deserializer());
        progress = driver.createOutputTopic(Topics.PARENT_PROGRESS.name(), Serdes.String().deserializer(),
                Topics.PARENT_PROGRESS.valueSerde().deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // --- the site: page n links to 3n+1..3n+3 (a tree) and to two random pages ---

    private static String page(String host, int n) {
        return "http://" + host + "/p/" + n;
    }

    private static List<String> linksOf(String host, int n, int pages) {
        Random random = new Random(n * 31L + host.hashCode());
        List<String> links = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            if (3 * n + k < pages) {
                links.add(page(host, 3 * n + k));
            }
        }
        links.add(page(host, random.nextInt(pages)));
        links.add(page(host, random.nextInt(pages)));
        return links;
    }

    private static int pageNumber(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf('/') + 1));
    }

    // --- the driver side ---

    private Instant tick() {
        clock = clock.plusMillis(10);
        return clock;
    }

    private void send(JobEvent event) {
        events.pipeInput(event.parentId(), event, clock);
        collect();
    }

    /** Reads what the aggregator output and checks the window after every event. */
    private void collect() {
        for (KeyValue<String, CrawlTask> kv : tasks.readKeyValuesToList()) {
            CrawlTask task = kv.value;
            assertThat(inFlight.computeIfAbsent(task.parentId(), p -> new HashSet<>()).add(task.childId()))
                    .as("a child is handed out once").isTrue();
            tasksPerChild.merge(task.childId(), 1, Integer::sum);
            delivered.computeIfAbsent(task.parentId(), p -> new ArrayDeque<>()).add(kv);
        }
        for (ParentProgress p : progress.readValuesToList()) {
            latest.put(p.id(), p);
            snapshots.add(p);
            assertThat(p.pending() + p.running() + p.completed() + p.failed() + p.cancelled()).isEqualTo(p.total());
            assertThat(p.queued()).isBetween(0L, p.pending());
        }
        long global = 0;
        for (Set<String> children : inFlight.values()) {
            assertThat(children.size()).as("children in flight of one parent").isLessThanOrEqualTo(perParentLimit);
            global += children.size();
        }
        assertThat(global).as("children in flight of the instance").isLessThanOrEqualTo(globalLimit);
        maxGlobalInFlight = Math.max(maxGlobalInFlight, global);
    }

    private void submit(String parentId, int maxPages, String seed) {
        send(new JobSubmitted("submit-" + parentId, parentId, tick(), new CrawlSpec(parentId, List.of(seed), 50,
                maxPages, true, List.of(), List.of(), ErrorTolerance.UNLIMITED)));
    }

    /** A worker crawls the oldest task it holds of {@code parentId}: running, (delay), links, completed. */
    private boolean crawlOne(String parentId, int pages, Long reportDelayMs) {
        Deque<KeyValue<String, CrawlTask>> queue = delivered.get(parentId);
        if (queue == null || queue.isEmpty()) {
            return false;
        }
        CrawlTask task = queue.poll().value;
        String host = task.url().substring("http://".length(), task.url().indexOf('/', "http://".length()));
        send(new ChildStatusChanged("e" + (++seq), parentId, task.childId(), task.url(), task.depth(),
                ChildStatus.RUNNING, 1, tick(), null, null, null, null, 0));
        if (reportDelayMs != null) {
            send(new HostDelayObserved("d" + (++seq), parentId, host, reportDelayMs, tick()));
        }
        send(new LinksDiscovered("l" + (++seq), parentId, task.childId(), task.depth(), tick(),
                linksOf(host, pageNumber(task.url()), pages)));
        inFlight.get(parentId).remove(task.childId());
        send(new ChildStatusChanged("e" + (++seq), parentId, task.childId(), task.url(), task.depth(),
                ChildStatus.COMPLETED, 1, tick(), null, null, 200, task.childId(), 100));
        return true;
    }

    private void punctuate() {
        driver.advanceWallClockTime(Duration.ofMillis(50));
        collect();
    }

    private ParentProgress finalSnapshot(String parentId) {
        punctuate();
        return latest.get(parentId);
    }

    // --- the tests ---

    @Test
    void aCrawlBiggerThanTheWindowCompletesWithExactCountsAndNeverExceedsIt() throws Exception {
        start(8, 8);
        submit("big", 10_000, page("site.test", 0));
        while (crawlOne("big", 300, 0L)) {
            // the workers take what they are given, one page at a time
        }
        ParentProgress done = finalSnapshot("big");

        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.total()).isEqualTo(300);
        assertThat(done.completed()).isEqualTo(300);
        assertThat(done.documentCount()).isEqualTo(300);
        assertThat(done.pending() + done.running() + done.queued()).isZero();
        assertThat(tasksPerChild).hasSize(300).allSatisfy((child, n) -> assertThat(n).isEqualTo(1));
        assertThat(maxGlobalInFlight).isEqualTo(8);
        // the window held children back: pending counted them as known and not started
        assertThat(snapshots).anySatisfy(p -> assertThat(p.queued()).isGreaterThan(50));
        assertThat(flow.inFlight()).isZero();
        assertThat(flow.activeParents()).isZero();
    }

    @Test
    void maxPagesStaysExactWithChildrenHeldBack() throws Exception {
        start(4, 4);
        submit("capped", 37, page("site.test", 0));
        while (crawlOne("capped", 300, 0L)) {
            // crawl on
        }
        ParentProgress done = finalSnapshot("capped");
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.total()).isEqualTo(37);
        assertThat(done.completed()).isEqualTo(37);
        assertThat(tasksPerChild).hasSize(37);
    }

    @Test
    void aSmallCrawlGetsItsShareAtOnceBesideABigOne() throws Exception {
        start(12, 12);
        submit("big", 10_000, page("big.test", 0));
        for (int i = 0; i < 20; i++) {
            crawlOne("big", 2_000, 0L);
        }
        assertThat(inFlight.get("big")).hasSize(12); // the big crawl holds the whole window

        submit("small", 10_000, page("small.test", 0));
        // the small crawl is over nothing yet: the window is full, and the big one is now above its share (6)
        int bigFinished = 0;
        while (inFlight.getOrDefault("small", Set.of()).isEmpty()) {
            crawlOne("big", 2_000, 0L);
            bigFinished++;
            punctuate();
        }
        assertThat(bigFinished).as("big children finished before the small crawl got its first task").isEqualTo(1);

        // from then on, the two share the window; the small one finishes while the big one still runs
        while (latest.get("small").status() != JobStatus.COMPLETED) {
            crawlOne("small", 40, 0L);
            crawlOne("big", 2_000, 0L);
            punctuate();
            assertThat(inFlight.get("big").size()).isLessThanOrEqualTo(12);
        }
        assertThat(latest.get("small").completed()).isEqualTo(40);
        assertThat(latest.get("big").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(snapshots.stream().filter(p -> p.id().equals("small")).mapToLong(p -> p.pending() - p.queued()
                + p.running()).max().orElseThrow()).as("the small crawl's share of the window").isGreaterThan(4);
    }

    @Test
    void aYoungCrawlGetsMostOfTheWindowBesideAnOldOne() throws Exception {
        start(12, 12);
        submit("old", 10_000, page("old.test", 0));
        for (int i = 0; i < 120; i++) {
            crawlOne("old", 1_000, 0L);
        }
        submit("young", 10_000, page("young.test", 0));
        // the old crawl has handed out over 130 children, the young one none: weights under 1/2 and 1 of the 12
        int youngMost = 0;
        while (latest.get("young") == null || latest.get("young").status() != JobStatus.COMPLETED) {
            crawlOne("young", 60, 0L);
            crawlOne("old", 1_000, 0L);
            punctuate();
            youngMost = Math.max(youngMost, inFlight.getOrDefault("young", Set.of()).size());
            assertThat(inFlight.get("old").size() + inFlight.getOrDefault("young", Set.of()).size())
                    .as("the window").isLessThanOrEqualTo(12);
        }
        assertThat(latest.get("young").completed()).isEqualTo(60);
        assertThat(youngMost).as("the young crawl's most in flight: more than an equal share (6)").isGreaterThan(6);
        assertThat(inFlight.get("old")).as("the old crawl keeps its least share").isNotEmpty();
    }

    @Test
    void aHostWithADelayIsServedFromOneKeyAndAHostWithoutIsSpread() throws Exception {
        start(64, 64);
        submit("polite", 10_000, page("slow.test", 0));
        KeyValue<String, CrawlTask> seed = delivered.get("polite").peek();
        assertThat(seed.key).as("a host whose delay nobody reported yet: one key").isEqualTo("slow.test");
        assertThat(seed.value.hostShards()).isEqualTo(1);

        crawlOne("polite", 300, 1_000L); // the worker read Crawl-delay: 1
        assertThat(delivered.get("polite")).hasSize(2).allSatisfy(kv -> {
            assertThat(kv.key).isEqualTo("slow.test");
            assertThat(kv.value.hostShards()).isEqualTo(1);
        });
        for (int i = 0; i < 30; i++) {
            crawlOne("polite", 300, 1_000L);
            assertThat(inFlight.get("polite")).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(latest.get("polite").queued()).isGreaterThan(20);

        submit("fast", 10_000, page("fast.test", 0));
        crawlOne("fast", 300, 0L); // no delay: spread over the host's shards
        assertThat(delivered.get("fast")).hasSize(5).allSatisfy(kv -> {
            assertThat(kv.key).startsWith("fast.test#");
            assertThat(kv.value.hostShards()).isEqualTo(4);
        });
    }

    @Test
    void aCancelDropsTheQueueStopsDispatchingAndEndsOnceTheRunningChildrenEnd() throws Exception {
        start(6, 6);
        submit("cancelled", 10_000, page("site.test", 0));
        for (int i = 0; i < 10; i++) {
            crawlOne("cancelled", 500, 0L);
        }
        assertThat(latest.get("cancelled").queued()).isPositive();
        // one task a worker started, the others handed out and not started
        CrawlTask started = delivered.get("cancelled").poll().value;
        send(new ChildStatusChanged("e" + (++seq), "cancelled", started.childId(), started.url(), started.depth(),
                ChildStatus.RUNNING, 1, tick(), null, null, null, null, 0));
        int handedOut = tasksPerChild.size();

        send(new CancelRequested("c1", "cancelled", tick(), "test"));
        ParentProgress stopping = finalSnapshot("cancelled");
        assertThat(stopping.stopping()).isTrue();
        assertThat(stopping.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(stopping.queued()).isZero();
        // the children handed out stay pending until their workers say what became of them
        assertThat(stopping.pending()).isEqualTo(delivered.get("cancelled").size());
        assertThat(stopping.running()).isEqualTo(1);

        // workers skip the tasks of the stopping parent they have not started and say so; the running child ends
        for (KeyValue<String, CrawlTask> kv : delivered.get("cancelled")) {
            CrawlTask skipped = kv.value;
            send(new ChildStatusChanged("e" + (++seq), "cancelled", skipped.childId(), skipped.url(),
                    skipped.depth(), ChildStatus.CANCELLED, 1, tick(), "cancelled before start", null, null, null, 0));
        }
        assertThat(latest.get("cancelled").status()).as("the running child has not ended").isEqualTo(JobStatus.RUNNING);
        send(new ChildStatusChanged("e" + (++seq), "cancelled", started.childId(), started.url(), started.depth(),
                ChildStatus.COMPLETED, 1, tick(), null, null, 200, started.childId(), 100));
        punctuate();

        ParentProgress done = finalSnapshot("cancelled");
        assertThat(tasksPerChild).as("nothing handed out after the cancel").hasSize(handedOut);
        assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(done.pending() + done.running()).isZero();
        assertThat(done.completed() + done.cancelled()).isEqualTo(done.total());
        assertThat(done.documentCount()).isEqualTo(done.completed());
        assertThat(flow.activeParents()).isZero();
    }

    @Test
    void aWorkerReportOnAChildStillQueuedTakesItOutOfTheQueue() throws Exception {
        start(2, 2);
        submit("odd", 10_000, page("site.test", 0));
        crawlOne("odd", 100, 0L);
        ParentProgress before = finalSnapshot("odd");
        assertThat(before.queued()).isEqualTo(before.total() - 3); // the seed and two handed out

        // a report on a queued child (a task from an earlier life of the job): it counts as running, not queued
        String url = page("site.test", 3);
        String childId = Ids.childId("odd", url);
        assertThat(tasksPerChild).doesNotContainKey(childId);
        send(new ChildStatusChanged("e" + (++seq), "odd", childId, url, 1, ChildStatus.RUNNING, 1, tick(), null,
                null, null, null, 0));
        ParentProgress after = finalSnapshot("odd");
        assertThat(after.queued()).isEqualTo(before.queued() - 1);
        assertThat(after.running()).isEqualTo(1);

        send(new ChildStatusChanged("e" + (++seq), "odd", childId, url, 1, ChildStatus.COMPLETED, 1, tick(), null,
                null, 200, childId, 10));
        while (crawlOne("odd", 100, 0L)) {
            // crawl the rest
        }
        ParentProgress done = finalSnapshot("odd");
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.completed()).isEqualTo(done.total());
        assertThat(tasksPerChild).doesNotContainKey(childId);
    }
}

package dev.trawl.aggregator;

import dev.trawl.aggregator.streamsinternals.StreamsInternals;
import dev.trawl.aggregator.topology.ProgressTopology;
import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** A {@link TopologyTestDriver} around the aggregator topology, with the vocabulary of the tests. */
final class AggregatorHarness implements AutoCloseable {

    static final String PARENT = "parent-1";

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, JobEvent> events;
    private final TestInputTopic<String, byte[]> rawEvents;
    private final TestOutputTopic<String, CrawlTask> tasks;
    private final TestOutputTopic<String, ParentProgress> progress;
    private final TestOutputTopic<String, ChildProgress> childProgress;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final List<CrawlTask> allTasks = new ArrayList<>();
    private final List<ParentProgress> snapshots = new ArrayList<>();
    private final Map<String, ChildProgress> children = new LinkedHashMap<>();
    private final List<String> tombstones = new ArrayList<>();
    private int childRecords;
    private Instant clock = START;
    private int eventSeq;

    static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration RETENTION = Duration.ofHours(1);

    AggregatorHarness() {
        this(StreamsInternals.defaults());
    }

    /** With {@code internals} switched as given ({@link StreamsInternals#standardRoute()}: Streams' public route). */
    AggregatorHarness(StreamsInternals internals) {
        Properties props = ProgressAggregator.properties(ProgressAggregator.Settings.defaults("dummy:9092",
                tempDir()).withStreamsInternals(internals));
        driver = new TopologyTestDriver(ProgressTopology.build(ProgressTopology.Settings.defaults()
                .withChildRetention(RETENTION, Duration.ofMinutes(1)).withStreamsInternals(internals)), props, START);
        events = driver.createInputTopic(Topics.JOB_EVENTS.name(), Serdes.String().serializer(),
                Topics.JOB_EVENTS.valueSerde().serializer());
        rawEvents = driver.createInputTopic(Topics.JOB_EVENTS.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        tasks = driver.createOutputTopic(Topics.CRAWL_TASKS.name(), Serdes.String().deserializer(),
                Topics.CRAWL_TASKS.valueSerde().deserializer());
        progress = driver.createOutputTopic(Topics.PARENT_PROGRESS.name(), Serdes.String().deserializer(),
                Topics.PARENT_PROGRESS.valueSerde().deserializer());
        childProgress = driver.createOutputTopic(Topics.CHILD_PROGRESS.name(), Serdes.String().deserializer(),
                Topics.CHILD_PROGRESS.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("aggregator-ttd");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static CrawlSpec spec(int maxDepth, int maxPages, String... seeds) {
        return new CrawlSpec("test", List.of(seeds), maxDepth, maxPages, true, List.of(), List.of(),
                ErrorTolerance.UNLIMITED);
    }

    Instant tick() {
        clock = clock.plusMillis(100);
        return clock;
    }

    Instant advance(Duration d) {
        clock = clock.plus(d);
        return clock;
    }

    void send(JobEvent event) {
        events.pipeInput(event.parentId(), event, clock);
    }

    void sendRaw(String key, byte[] value) {
        rawEvents.pipeInput(key, value, clock);
    }

    void submit(CrawlSpec spec) {
        send(new JobSubmitted("submit-" + PARENT, PARENT, tick(), spec));
    }

    void cancel() {
        send(new CancelRequested("cancel-" + (++eventSeq), PARENT, tick(), "test"));
    }

    static String child(String url) {
        return Ids.childId(PARENT, url);
    }

    ChildStatusChanged status(String url, ChildStatus status, int attempt) {
        String reason = status == ChildStatus.FAILED ? "http 404" : null;
        ReasonClass cls = status == ChildStatus.FAILED ? ReasonClass.ERROR : null;
        String doc = status == ChildStatus.COMPLETED ? Ids.documentId(PARENT, url) : null;
        return new ChildStatusChanged("e" + (++eventSeq), PARENT, child(url), url, 0, status, attempt, tick(),
                reason, cls, status == ChildStatus.FAILED ? 404 : 200, doc, status == ChildStatus.COMPLETED ? 100 : 0);
    }

    void running(String url) {
        send(status(url, ChildStatus.RUNNING, 1));
    }

    void completed(String url) {
        send(status(url, ChildStatus.COMPLETED, 1));
    }

    void failed(String url, String reason, ReasonClass reasonClass) {
        send(new ChildStatusChanged("e" + (++eventSeq), PARENT, child(url), url, 0, ChildStatus.FAILED, 1, tick(),
                reason, reasonClass, null, null, 0));
    }

    /** A worker's usual output for a page: links, then the terminal status. */
    void crawled(String url, int depth, String... links) {
        running(url);
        if (links.length > 0) {
            send(new LinksDiscovered("l" + (++eventSeq), PARENT, child(url), depth, tick(), List.of(links)));
        }
        completed(url);
    }

    void links(String url, int depth, String... links) {
        send(new LinksDiscovered("l" + (++eventSeq), PARENT, child(url), depth, tick(), List.of(links)));
    }

    /** Moves the wall clock (punctuations) by {@code d}; event time follows. */
    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
        clock = clock.plus(d);
    }

    /** Runs the snapshot punctuation and collects every output so far. */
    void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(50));
        tasks.readValuesToList().forEach(allTasks::add);
        snapshots.addAll(progress.readValuesToList());
        var records = childProgress.readKeyValuesToList();
        childRecords += records.size();
        records.forEach(kv -> {
            if (kv.value == null) {
                children.remove(kv.key);
                tombstones.add(kv.key);
            } else {
                children.put(kv.key, kv.value);
            }
        });
    }

    ParentProgress latest() {
        flush();
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }

    List<ParentProgress> snapshots() {
        flush();
        return snapshots;
    }

    List<CrawlTask> tasks() {
        flush();
        return allTasks;
    }

    Map<String, ChildProgress> children() {
        flush();
        return children;
    }

    /** Child progress records output so far. */
    int childRecords() {
        flush();
        return childRecords;
    }

    List<String> childTombstones() {
        flush();
        return tombstones;
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}

package dev.trawl.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.streamsinternals.StreamsInternals;
import dev.trawl.aggregator.topology.ProgressTopology;
import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.junit.jupiter.api.Test;

/** The aggregator on a real broker with exactly-once processing, across a restart on an empty state dir. */
class ProgressAggregatorOnBrokerTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();

    @Test
    void countsStayExactAndVersionsKeepIncreasingWhenAnInstanceIsReplacedMidCrawl() throws Exception {
        replaceAnInstanceMidCrawl(StreamsInternals.defaults(), "trawl-progress-aggregator");
    }

    /** What an operator gets with {@code trawl.aggregator.streams-internals.*=false}: the same exact counts. */
    @Test
    void countsStayExactOnStreamsPublicRouteWithEveryWorkaroundOfItsInternalsSwitchedOff() throws Exception {
        replaceAnInstanceMidCrawl(StreamsInternals.standardRoute(), "standard-route-" + Ids.newParentId());
    }

    private void replaceAnInstanceMidCrawl(StreamsInternals internals, String applicationId) throws Exception {
        String parent = Ids.newParentId();
        String seed = "http://site.test/";
        List<String> pages = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            pages.add("http://site.test/p/" + i);
        }
        try (var producer = producer(); var tasks = reader(Topics.CRAWL_TASKS);
             var progress = reader(Topics.PARENT_PROGRESS); var deadLetters = reader(Topics.DEAD_LETTERS)) {
            List<ParentProgress> snapshots = new ArrayList<>();
            List<CrawlTask> scheduled = new ArrayList<>();

            ProgressAggregator first = aggregator(internals, applicationId);
            first.start();
            send(producer, new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec("restart", List.of(seed),
                    2, 100, true, List.of(), List.of(), ErrorTolerance.UNLIMITED)));
            CrawlTask seedTask = awaitTasks(tasks, parent, scheduled, 1).get(0);
            send(producer, ChildStatusChanged.running(Ids.eventId(seedTask.childId(), "running"), seedTask, Instant.now()));
            send(producer, new LinksDiscovered("l-" + parent, parent, seedTask.childId(), 0, Instant.now(), pages));
            send(producer, ChildStatusChanged.completed("c-" + parent, seedTask, Instant.now(), 200,
                    seedTask.childId(), 1000));
            awaitTasks(tasks, parent, scheduled, 51);
            first.close();

            // empty state dir: restores from the changelogs
            ProgressAggregator second = aggregator(internals, applicationId);
            second.start();
            producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), parent.getBytes(StandardCharsets.UTF_8),
                    "{broken".getBytes(StandardCharsets.UTF_8))).get();
            for (CrawlTask task : scheduled.subList(1, scheduled.size())) {
                ChildStatusChanged running = ChildStatusChanged.running("r" + task.childId(), task, Instant.now());
                ChildStatusChanged done = ChildStatusChanged.completed("d" + task.childId(), task, Instant.now(), 200,
                        task.childId(), 1000);
                send(producer, running);
                send(producer, done);
                send(producer, done); // a redelivered duplicate
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                read(progress).stream().filter(p -> p.id().equals(parent)).forEach(snapshots::add);
                return !snapshots.isEmpty() && snapshots.get(snapshots.size() - 1).status().isTerminal();
            });
            second.close();

            ParentProgress last = snapshots.get(snapshots.size() - 1);
            assertThat(last.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(last.completed()).isEqualTo(51);
            assertThat(last.documentCount()).isEqualTo(51);
            assertThat(last.total()).isEqualTo(51);
            assertThat(last.pending() + last.running() + last.failed() + last.cancelled()).isZero();
            for (int i = 1; i < snapshots.size(); i++) {
                assertThat(snapshots.get(i).version()).isGreaterThan(snapshots.get(i - 1).version());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> readRaw(deadLetters).stream()
                    .anyMatch(r -> new String(r, StandardCharsets.UTF_8).equals("{broken")));
        }
    }

    @Test
    void aChildsChangesWithinOneCommitAreOneChildProgressRecordPublishedWithTheCommit() throws Exception {
        String parent = Ids.newParentId();
        String seed = "http://one-commit.test/";
        try (var producer = producer(); var tasks = reader(Topics.CRAWL_TASKS);
             var children = reader(Topics.CHILD_PROGRESS); var progress = reader(Topics.PARENT_PROGRESS)) {
            // commits 2 s apart, and no snapshot punctuation within the test: only commits publish
            var defaults = ProgressAggregator.Settings.defaults(bootstrap, Files.createTempDirectory("one-commit"));
            var settings = new ProgressAggregator.Settings(bootstrap, "one-commit-" + parent, defaults.stateDir(),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), 0, 0, 1, 1,
                    new ProgressTopology.Settings(Duration.ofMinutes(5), 4, Duration.ofDays(1), Duration.ofMinutes(5)),
                    Map.of());
            try (ProgressAggregator aggregator = new ProgressAggregator(settings)) {
                aggregator.start();
                send(producer, new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec("one commit",
                        List.of(seed), 0, 10, true, List.of(), List.of(), ErrorTolerance.UNLIMITED)));
                CrawlTask task = awaitTasks(tasks, parent, new ArrayList<>(), 1).get(0);
                // both in one batch: processed long before the next commit
                var running = ChildStatusChanged.running("r-" + parent, task, Instant.now());
                var done = ChildStatusChanged.completed("d-" + parent, task, Instant.now(), 200, task.childId(), 10);
                producer.send(record(running));
                producer.send(record(done)).get();

                List<ParentProgress> snapshots = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    read(progress).stream().filter(p -> p.id().equals(parent)).forEach(snapshots::add);
                    return !snapshots.isEmpty() && snapshots.get(snapshots.size() - 1).status().isTerminal();
                });
                assertThat(snapshots).extracting(ParentProgress::status)
                        .containsExactly(JobStatus.PENDING, JobStatus.COMPLETED);
                List<ChildProgress> records = new ArrayList<>();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    read(children, Topics.CHILD_PROGRESS).stream().filter(c -> c.parentId().equals(parent))
                            .forEach(records::add);
                    return records.size() >= 2;
                });
                assertThat(records).extracting(ChildProgress::status)
                        .containsExactly(ChildStatus.PENDING, ChildStatus.COMPLETED);
            }
        }
    }

    @Test
    void aCommitOfManyTasksWaitsForOneFlushNotOnePerTask() throws Exception {
        // one parent on each of trawl.job-events' partitions, so each of the thread's tasks has work
        int partitions = 6;
        Map<Integer, String> parents = new TreeMap<>();
        while (parents.size() < partitions) {
            String id = Ids.newParentId();
            parents.putIfAbsent(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions, id);
        }
        var defaults = ProgressAggregator.Settings.defaults(bootstrap, Files.createTempDirectory("one-flush"));
        var settings = new ProgressAggregator.Settings(bootstrap, "one-flush-" + parents.get(0), defaults.stateDir(),
                Duration.ofSeconds(2), Duration.ofSeconds(2), 0, 0, 1, 1, ProgressTopology.Settings.defaults(),
                Map.of());
        FlushWatch watch = new FlushWatch(parents.values());
        try (var producer = producer(); var progress = reader(Topics.PARENT_PROGRESS);
             ProgressAggregator aggregator = new ProgressAggregator(settings, watch)) {
            aggregator.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> aggregator.activeTaskCount() == partitions);
            for (String parent : parents.values()) {
                producer.send(record(new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec("flush",
                        List.of("http://flush.test/" + parent), 0, 10, true, List.of(), List.of(),
                        ErrorTolerance.UNLIMITED))));
            }
            producer.flush();
            Set<String> published = new HashSet<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                read(progress).forEach(p -> published.add(p.id()));
                return published.containsAll(parents.values());
            });
        }
        // per transaction: the flushes that had records to wait for, and the parents whose snapshots it carried
        List<FlushWatch.Transaction> transactions = watch.transactions();
        assertThat(transactions).anySatisfy(t -> assertThat(t.parents()).hasSizeGreaterThanOrEqualTo(3));
        assertThat(transactions).allSatisfy(t -> assertThat(t.flushesWithRecords()).isLessThanOrEqualTo(1));
    }

    @Test
    void aBacklogIsCommittedAtTheBacklogIntervalAndLiveEventsAtTheShortOne() throws Exception {
        // a backlog written before the aggregator starts: 20 parents, 150 children each, running and completed
        String run = Ids.newParentId();
        try (var producer = producer()) {
            for (int p = 0; p < 20; p++) {
                String parent = run + "-" + p;
                List<String> urls = new ArrayList<>();
                for (int c = 0; c < 150; c++) {
                    urls.add("http://backlog-" + p + ".test/" + c);
                }
                producer.send(record(new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec("backlog",
                        List.of(urls.get(0)), 1, 150, true, List.of(), List.of(), ErrorTolerance.UNLIMITED))));
                producer.send(record(new LinksDiscovered("l-" + parent, parent, Ids.childId(parent, urls.get(0)), 0,
                        Instant.now(), urls.subList(1, urls.size()))));
                for (String url : urls) {
                    CrawlTask task = new CrawlTask(parent, Ids.childId(parent, url), url, 0, 1, 4, Instant.now());
                    producer.send(record(ChildStatusChanged.running("r" + task.childId(), task, Instant.now())));
                    producer.send(record(ChildStatusChanged.completed("c" + task.childId(), task, Instant.now(), 200,
                            task.childId(), 100)));
                }
            }
            producer.flush();
        }
        // commits every 50 ms while caught up; while more than 100 records wait, at Streams' commit.interval.ms,
        // here a minute: it never comes within the test, so every commit is one the pacing asked for
        var defaults = ProgressAggregator.Settings.defaults(bootstrap, Files.createTempDirectory("paced"));
        String appId = "paced-" + run;
        int backlogRecords = 100;
        int pollRecords = 20;
        var settings = new ProgressAggregator.Settings(bootstrap, appId, defaults.stateDir(), Duration.ofMillis(50),
                Duration.ofMinutes(1), backlogRecords, 0, 1, 1, ProgressTopology.Settings.defaults(), Map.of(
                        // a transaction may stay open as long as Streams' interval
                        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 120_000,
                        // small polls and buffers: the backlog is fetched bit by bit, as a big one would be
                        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), pollRecords,
                        StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, pollRecords));
        FlushWatch watch = new FlushWatch(List.of());
        try (var producer = producer(); var progress = reader(Topics.PARENT_PROGRESS);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             ProgressAggregator aggregator = new ProgressAggregator(settings, watch)) {
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            for (int i = 0; i < Topics.JOB_EVENTS.partitions(); i++) {
                partitions.put(new TopicPartition(Topics.JOB_EVENTS.name(), i), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(partitions).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            watch.lagAgainst(ends);
            aggregator.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                var committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                // an empty partition has nothing to commit (20 parents may leave one of the 6 without events)
                return ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue());
            });
            // a commit is asked for only with at most backlogRecords not yet fetched; what the thread had fetched
            // and not yet processed then is at most a poll and a buffer per partition
            long slack = (long) Topics.JOB_EVENTS.partitions() * 2 * pollRecords;
            List<FlushWatch.Transaction> backlog = watch.transactions();
            assertThat(backlog).as("commits of the backlog").isNotEmpty();
            assertThat(backlog).allSatisfy(t -> assertThat(t.unprocessed()).as("records not processed at a commit")
                    .isLessThanOrEqualTo(backlogRecords + slack));
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).as("the backlog")
                    .isGreaterThan(10 * (backlogRecords + slack));

            // caught up: each live event is committed at the short interval, long before Streams' own
            String live = run + "-live";
            List<String> urls = new ArrayList<>();
            for (int c = 0; c < 21; c++) {
                urls.add("http://live.test/" + c);
            }
            send(producer, new JobSubmitted("s-" + live, live, Instant.now(), new CrawlSpec("live",
                    List.of(urls.get(0)), 1, 21, true, List.of(), List.of(), ErrorTolerance.UNLIMITED)));
            send(producer, new LinksDiscovered("l-" + live, live, Ids.childId(live, urls.get(0)), 0, Instant.now(),
                    urls.subList(1, urls.size())));
            int done = 0;
            for (String url : urls.subList(1, urls.size())) {
                CrawlTask task = new CrawlTask(live, Ids.childId(live, url), url, 1, 1, 4, Instant.now());
                send(producer, ChildStatusChanged.completed("c" + task.childId(), task, Instant.now(), 200,
                        task.childId(), 100));
                // its snapshot is readable (read_committed) once a commit covered it
                long expected = ++done;
                await().atMost(Duration.ofSeconds(20)).until(() -> read(progress).stream()
                        .anyMatch(p -> p.id().equals(live) && p.completed() == expected));
            }
        }
    }

    /** Streams' producer, watched: which records each flush waited for, per transaction. */
    private static final class FlushWatch extends DefaultKafkaClientSupplier {

        /** {@code unprocessed}: records of the watched ends not covered by the offsets committed (-1: no ends). */
        record Transaction(int flushesWithRecords, Set<String> parents, long unprocessed) {
        }

        private final Collection<String> watched;
        private final List<Transaction> transactions = new ArrayList<>();
        private int sentSinceFlush;
        private int flushesWithRecords;
        private final Set<String> parents = new HashSet<>();
        private Map<TopicPartition, Long> ends = Map.of();
        private final Map<TopicPartition, Long> committed = new HashMap<>();

        FlushWatch(Collection<String> watched) {
            this.watched = watched;
        }

        /** Each transaction counts the records of {@code endOffsets} its offsets do not cover yet. */
        synchronized void lagAgainst(Map<TopicPartition, Long> endOffsets) {
            ends = Map.copyOf(endOffsets);
        }

        private long unprocessed() {
            if (ends.isEmpty()) {
                return -1;
            }
            long total = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                total += Math.max(0, end.getValue() - committed.getOrDefault(end.getKey(), 0L));
            }
            return total;
        }

        synchronized List<Transaction> transactions() {
            return new ArrayList<>(transactions);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
                @Override
                public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                    synchronized (FlushWatch.this) {
                        sentSinceFlush++;
                        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
                        if (record.topic().equals(Topics.PARENT_PROGRESS.name()) && watched.contains(key)) {
                            parents.add(key);
                        }
                    }
                    return super.send(record, callback);
                }

                @Override
                public void flush() {
                    synchronized (FlushWatch.this) {
                        if (sentSinceFlush > 0) {
                            flushesWithRecords++;
                        }
                        sentSinceFlush = 0;
                    }
                    super.flush();
                }

                @Override
                public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                     ConsumerGroupMetadata groupMetadata) {
                    synchronized (FlushWatch.this) {
                        offsets.forEach((tp, offset) -> committed.put(tp, offset.offset()));
                    }
                    super.sendOffsetsToTransaction(offsets, groupMetadata);
                }

                @Override
                public void commitTransaction() {
                    synchronized (FlushWatch.this) {
                        transactions.add(new Transaction(flushesWithRecords, Set.copyOf(parents), unprocessed()));
                        flushesWithRecords = 0;
                        parents.clear();
                    }
                    super.commitTransaction();
                }
            };
        }
    }

    private static ProducerRecord<byte[], byte[]> record(JobEvent event) {
        return new ProducerRecord<>(Topics.JOB_EVENTS.name(), new StringSerializer().serialize(null, event.parentId()),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event));
    }

    private ProgressAggregator aggregator(StreamsInternals internals, String applicationId) throws Exception {
        Path stateDir = Files.createTempDirectory("aggregator-state");
        return new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap, stateDir)
                .withApplicationId(applicationId).withStreamsInternals(internals));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, JobEvent event) throws Exception {
        producer.send(record(event)).get();
    }

    private KafkaConsumer<byte[], byte[]> reader(Topic<?, ?> topic) {
        return TopicReader.fromStart(bootstrap, topic.name());
    }

    @SuppressWarnings("unchecked")
    private static <V> List<V> read(KafkaConsumer<byte[], byte[]> consumer, Topic<?, V> topic) {
        List<V> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            out.add(topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
        }
        return out;
    }

    private static List<ParentProgress> read(KafkaConsumer<byte[], byte[]> progress) {
        return read(progress, Topics.PARENT_PROGRESS);
    }

    private static List<byte[]> readRaw(KafkaConsumer<byte[], byte[]> consumer) {
        List<byte[]> out = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
        return out;
    }

    private static List<CrawlTask> awaitTasks(KafkaConsumer<byte[], byte[]> tasks, String parent,
                                              List<CrawlTask> scheduled, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            read(tasks, Topics.CRAWL_TASKS).stream().filter(t -> t.parentId().equals(parent)).forEach(scheduled::add);
            return scheduled.size() >= count;
        });
        assertThat(scheduled).hasSize(count);
        return scheduled;
    }
}

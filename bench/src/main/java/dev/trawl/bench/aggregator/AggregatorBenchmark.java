package dev.trawl.bench.aggregator;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import dev.trawl.bench.Snapshots;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The aggregator's throughput and latency with exactly-once processing, on an embedded broker in this JVM.
 *
 * <ol>
 *   <li>Throughput: {@code parents × children} status events are written first; a plain read_committed consumer
 *   reads them all (the raw rate), then the aggregator processes them (events/s from its committed offsets).</li>
 *   <li>Latency: with the aggregator running, completions are sent at a fixed rate; for each, the time from the
 *   send to the first committed snapshot of its parent that counts it.</li>
 * </ol>
 * Args: [parents=200] [childrenPerParent=500] [latencyRate=2000] [latencySeconds=20] [warmupParents=parents/2]
 *
 * <p>The throughput run first processes the warm-up parents' events (written before the measured ones), so the JIT
 * has compiled the hot paths and the stores have formed before the clock starts, as in a long-running instance.
 */
public final class AggregatorBenchmark {

    private final String bootstrap;

    private AggregatorBenchmark(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public static void main(String[] args) throws Exception {
        int parents = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int children = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : parents / 2;
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            AggregatorBenchmark bench = new AggregatorBenchmark(broker.bootstrapServers());
            System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.arch"), System.getProperty("java.version"));
            bench.throughput(warmup, parents, children);
            if (System.getProperty("bench.ceiling") == null) {
                bench.latency(rate, seconds);
            }
        }
        System.exit(0);
    }

    private void throughput(int warmupParents, int parents, int children) throws Exception {
        long events = 0;
        long warmupEvents = 0;
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int p = 0; p < warmupParents + parents; p++) {
                if (p == warmupParents) {
                    warmupEvents = events;
                }
                String parent = Ids.newParentId();
                List<String> urls = new ArrayList<>(children);
                for (int c = 0; c < children; c++) {
                    urls.add("http://bench-" + p + ".test/p/" + c);
                }
                send(producer, new JobSubmitted("s" + parent, parent, Instant.now(), spec(urls.get(0), children)));
                send(producer, new LinksDiscovered("l" + parent, parent, Ids.childId(parent, urls.get(0)), 0,
                        Instant.now(), urls.subList(1, urls.size())));
                events += 2;
                for (String url : urls) {
                    String child = Ids.childId(parent, url);
                    send(producer, status(parent, child, url, ChildStatus.RUNNING));
                    send(producer, status(parent, child, url, ChildStatus.COMPLETED));
                    events += 2;
                }
            }
            producer.flush();
        }
        System.out.printf("wrote %,d events (%d warm-up + %d measured parents × %d children, running + completed "
                + "each) in %.1f s%n", events, warmupParents, parents, children, seconds(start));

        // the raw consumer's clock, like the aggregator's, starts once it has read the warm-up parents' events
        long consumed = 0;
        long rawStart = 0;
        long rawFrom = 0;
        start = System.nanoTime();
        long readDeadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(Topics.JOB_EVENTS.name(), true)) {
            while (consumed < events) {
                if (System.nanoTime() > readDeadline) {
                    throw new IllegalStateException("read only " + consumed + " of " + events + " events in 3 min");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    consumed++;
                }
                if (rawStart == 0 && consumed >= warmupEvents) {
                    rawStart = System.nanoTime();
                    rawFrom = consumed;
                }
            }
        }
        double rawAll = consumed / seconds(start);
        double rawRate = warmupEvents > 0 && consumed > rawFrom ? (consumed - rawFrom) / seconds(rawStart) : rawAll;
        System.out.printf("raw consumer (read_committed, deserializing): %,.0f events/s after the warm-up events "
                + "(%,.0f over all of them)%n", rawRate, rawAll);

        String appId = "bench-aggregator-" + UUID.randomUUID();
        ProgressAggregator.Settings settings = ProgressAggregator.Settings.defaults(bootstrap,
                Files.createTempDirectory("bench-aggregator")).withApplicationId(appId).withOverrides(overrides())
                .withCommitIntervals(Duration.ofMillis(Long.getLong("bench.commit-ms", 25)),
                        Duration.ofMillis(Long.getLong("bench.backlog-commit-ms", 100)));
        String ceiling = System.getProperty("bench.ceiling");
        AutoCloseable aggregator;
        if (ceiling == null) {
            ProgressAggregator app = new ProgressAggregator(settings);
            app.start();
            aggregator = app;
        } else {
            // what Kafka Streams itself costs with the aggregator's settings for a given output volume: no state, no
            // logic, each event copied to a topic ceiling-many times on average
            KafkaStreams app = new KafkaStreams(passThrough(Double.parseDouble(ceiling)),
                    ProgressAggregator.properties(settings));
            System.out.printf("CEILING: pass-through topology, %s output records per event%s%n", ceiling,
                    Boolean.getBoolean("bench.ceiling-decode") ? ", events deserialised and serialised" : "");
            app.start();
            aggregator = app;
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long processCpuStart = 0;
        long gcStart = 0;
        long jitStart = 0;
        Map<String, Long> threadCpuStart = new HashMap<>();
        long streamCpuStart = 0;
        long firstProgressNanos = 0;
        long firstProgressOffset = 0;
        long done;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (true) {
                long committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get()
                        .entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.JOB_EVENTS.name()))
                        .map(Map.Entry::getValue).mapToLong(OffsetAndMetadata::offset).sum();
                long now = System.nanoTime();
                if (firstProgressNanos == 0 && committed > Math.max(0, warmupEvents - 1)) {
                    firstProgressNanos = now;
                    firstProgressOffset = committed;
                    processCpuStart = os.getProcessCpuTime();
                    gcStart = gcMillis();
                    jitStart = jitMillis();
                    streamCpuStart = threadCpu(appId);
                    cpuByThreadGroup(threadCpuStart);
                }
                if (committed >= events) {
                    done = now;
                    break;
                }
                Thread.sleep(20);
            }
        }
        double aggregated = (events - firstProgressOffset) / ((done - firstProgressNanos) / 1e9);
        long measuredEvents = events - firstProgressOffset;
        System.out.printf("%s (exactly_once_v2): %,.0f events/s; ratio to raw consumer %.2f%n",
                ceiling == null ? "aggregator" : "pass-through", aggregated, aggregated / rawRate);
        System.out.printf("  CPU per event: stream thread %.1f µs, whole process (broker, producer, consumer "
                        + "included) %.1f µs; wall %.1f µs%n",
                (threadCpu(appId) - streamCpuStart) / 1e3 / measuredEvents,
                (os.getProcessCpuTime() - processCpuStart) / 1e3 / measuredEvents,
                (done - firstProgressNanos) / 1e3 / measuredEvents);
        System.out.printf("  of which GC (pause and concurrent threads' time as the JVM reports it) %.1f µs, JIT "
                        + "compilation %.1f µs%n", (gcMillis() - gcStart) * 1e3 / measuredEvents,
                (jitMillis() - jitStart) * 1e3 / measuredEvents);
        if (Boolean.getBoolean("bench.threads")) {
            Map<String, Long> end = new HashMap<>();
            cpuByThreadGroup(end);
            end.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue() - threadCpuStart.getOrDefault(
                            b.getKey(), 0L), a.getValue() - threadCpuStart.getOrDefault(a.getKey(), 0L))).limit(12)
                    .forEach(e -> System.out.printf("    %-60s %.1f µs/event%n", e.getKey(),
                            (e.getValue() - threadCpuStart.getOrDefault(e.getKey(), 0L)) / 1e3 / measuredEvents));
        }
        aggregator.close();
    }

    /**
     * Reads the events and writes {@code outputsPerEvent} copies of each on average to one topic: as bytes, or with
     * {@code -Dbench.ceiling-decode=true} deserialised and serialised with the events' serde.
     */
    @SuppressWarnings("unchecked")
    private Topology passThrough(double outputsPerEvent) throws Exception {
        String out = "bench-ceiling-out";
        TopicAdmin.ensureTopics(bootstrap, List.of(new Topic<>(out, Serdes.ByteArray(), Serdes.ByteArray(), false, 6)),
                (short) 1);
        boolean decode = Boolean.getBoolean("bench.ceiling-decode");
        Deserializer<Object> in = decode ? (Deserializer<Object>) (Deserializer<?>) Topics.JOB_EVENTS.valueSerde()
                .deserializer() : (Deserializer<Object>) (Deserializer<?>) new ByteArrayDeserializer();
        Serializer<Object> outSerializer = decode ? (Serializer<Object>) (Serializer<?>) Topics.JOB_EVENTS
                .valueSerde().serializer() : (Serializer<Object>) (Serializer<?>) new ByteArraySerializer();
        Topology topology = new Topology();
        topology.addSource("in", new ByteArrayDeserializer(), in, Topics.JOB_EVENTS.name());
        topology.addProcessor("copy", () -> new Processor<byte[], Object, byte[], Object>() {
            private ProcessorContext<byte[], Object> context;
            private double owed;

            @Override
            public void init(ProcessorContext<byte[], Object> context) {
                this.context = context;
            }

            @Override
            public void process(Record<byte[], Object> record) {
                owed += outputsPerEvent;
                while (owed >= 1) {
                    owed--;
                    context.forward(record);
                }
            }
        }, "in");
        topology.addSink("out", out, new ByteArraySerializer(), outSerializer, "copy");
        return topology;
    }

    private void latency(int rate, int seconds) throws Exception {
        int parents = 40;
        int perParent = rate * seconds / parents + 1;
        List<String> ids = new ArrayList<>();
        Map<String, List<String>> urls = new HashMap<>();
        String appId = "bench-latency-" + UUID.randomUUID();
        ProgressAggregator aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap,
                Files.createTempDirectory("bench-latency")).withApplicationId(appId).withOverrides(overrides())
                .withCommitIntervals(Duration.ofMillis(Long.getLong("bench.commit-ms", 25)),
                        Duration.ofMillis(Long.getLong("bench.backlog-commit-ms", 100))));
        aggregator.start();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> progress = reader(Topics.PARENT_PROGRESS.name(), false)) {
            for (int p = 0; p < parents; p++) {
                String parent = Ids.newParentId();
                ids.add(parent);
                List<String> list = new ArrayList<>();
                for (int c = 0; c <= perParent; c++) {
                    list.add("http://latency-" + p + ".test/p/" + c);
                }
                urls.put(parent, list);
                send(producer, new JobSubmitted("s" + parent, parent, Instant.now(), spec(list.get(0), perParent + 1)));
                send(producer, new LinksDiscovered("l" + parent, parent, Ids.childId(parent, list.get(0)), 0,
                        Instant.now(), list.subList(1, list.size())));
            }
            producer.flush();
            Snapshots.awaitTotal(progress, ids, perParent + 1, Duration.ofMinutes(5));
            int total = rate * seconds;
            long[] sentAt = new long[total];
            long[] latencyNanos = new long[total];
            Arrays.fill(latencyNanos, -1);
            Map<String, List<Integer>> eventsOfParent = new HashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            long interval = 1_000_000_000L / rate;
            long begin = System.nanoTime();
            int measured = 0;
            for (int i = 0; i < total; i++) {
                long due = begin + i * interval;
                while (System.nanoTime() < due) {
                    measured += drain(progress, eventsOfParent, seen, sentAt, latencyNanos, 0);
                    LockSupport.parkNanos(Math.min(200_000, Math.max(0, due - System.nanoTime())));
                }
                String parent = ids.get(i % parents);
                int k = i / parents + 1; // this parent's k-th completion
                String url = urls.get(parent).get(k);
                sentAt[i] = System.nanoTime();
                eventsOfParent.computeIfAbsent(parent, x -> new ArrayList<>()).add(i);
                send(producer, status(parent, Ids.childId(parent, url), url, ChildStatus.COMPLETED));
            }
            long sendSeconds = System.nanoTime() - begin;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (measured < total && System.nanoTime() < deadline) {
                measured += drain(progress, eventsOfParent, seen, sentAt, latencyNanos, 100);
            }
            long[] sorted = Arrays.stream(latencyNanos).filter(l -> l >= 0).sorted().toArray();
            System.out.printf("latency at %,d events/s for %d s (%,d events sent in %.1f s, %,d measured):"
                            + " p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", rate, seconds, total, sendSeconds / 1e9,
                    sorted.length, pct(sorted, 0.50), pct(sorted, 0.99),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        }
        aggregator.close();
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long jitMillis() {
        return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** CPU time per thread name with numbers and ids blanked out, so pools add up. */
    public static void cpuByThreadGroup(Map<String, Long> into) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (java.lang.management.ThreadInfo info : threads.dumpAllThreads(false, false)) {
            String group = info.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("\\d+", "N");
            into.merge(group, Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
        }
    }

    /** CPU time of the stream threads of application {@code appId}, in nanoseconds. */
    private static long threadCpu(String appId) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith(appId) && info.getThreadName().contains("StreamThread")
                    && !info.getThreadName().contains("producer")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** Marks every sent event that a newly read snapshot counts; returns how many were newly measured. */
    private static int drain(KafkaConsumer<byte[], byte[]> progress, Map<String, List<Integer>> eventsOfParent,
                             Map<String, Integer> seen, long[] sentAt, long[] latency, long pollMillis) {
        int measured = 0;
        for (ConsumerRecord<byte[], byte[]> r : progress.poll(Duration.ofMillis(pollMillis))) {
            long now = System.nanoTime();
            ParentProgress s = snapshot(r);
            List<Integer> events = eventsOfParent.get(s.id());
            if (events == null) {
                continue;
            }
            int from = seen.getOrDefault(s.id(), 0);
            int upTo = (int) Math.min(s.completed(), events.size());
            for (int k = from; k < upTo; k++) {
                latency[events.get(k)] = now - sentAt[events.get(k)];
                measured++;
            }
            seen.put(s.id(), Math.max(from, upTo));
        }
        return measured;
    }

    /** Streams settings to try, as -Dstreams.x=y system properties (e.g. -Dstreams.commit.interval.ms=200). */
    public static Map<String, Object> overrides() {
        Map<String, Object> out = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("streams.")) {
                out.put(k.toString().substring("streams.".length()), v.toString());
            }
        });
        if (!out.isEmpty()) {
            System.out.println("streams overrides: " + out);
        }
        return out;
    }

    private static ParentProgress snapshot(ConsumerRecord<byte[], byte[]> r) {
        return Topics.PARENT_PROGRESS.valueSerde().deserializer().deserialize(r.topic(), r.value());
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static CrawlSpec spec(String seed, int maxPages) {
        return new CrawlSpec("bench", List.of(seed), 3, maxPages, true, List.of(), List.of(), ErrorTolerance.UNLIMITED);
    }

    private static ChildStatusChanged status(String parent, String child, String url, ChildStatus status) {
        return new ChildStatusChanged(status.name() + child, parent, child, url, 1, status, 1, Instant.now(), null,
                null, 200, status == ChildStatus.COMPLETED ? child : null, 1000);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void send(KafkaProducer<String, byte[]> producer, JobEvent event) {
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), event.parentId(),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event)), (m, e) -> {
                    if (e != null) {
                        System.err.println("benchmark event not written, the figures would be wrong: " + e);
                        System.exit(2);
                    }
                });
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.BATCH_SIZE_CONFIG, 131072,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> reader(String topic, boolean fromStart) {
        return TopicReader.open(bootstrap, fromStart, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10), topic);
    }
}

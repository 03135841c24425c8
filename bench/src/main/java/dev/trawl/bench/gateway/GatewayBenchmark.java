package dev.trawl.bench.gateway;

import dev.trawl.aggregator.AggregatorApplication;
import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.bench.aggregator.AggregatorBenchmark;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.Topics;
import dev.trawl.bench.Snapshots;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.ServiceProcess;
import dev.trawl.testkit.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * WebSocket fan-out of the gateway: N clients each subscribed to one of P parents while the parents change R
 * times per second in all. The gateway runs in its own JVM ({@code -Xmx512m}) against an embedded broker in this
 * one; the clients (java.net.http) run here. Latency is from the snapshot's production ({@code updated_at}, set by
 * the producer here just before it sends) to the client's receipt, so it includes the Kafka hop, the read model,
 * coalescing and the WebSocket write. The gateway's heap is read from its actuator every second.
 *
 * <p>With {@code -Dbench.e2e=true} the changes are child status events on {@code trawl.job-events} instead, and a
 * {@link ProgressAggregator} in this JVM (or, with {@code -Dbench.aggregator-jvm=true}, the aggregator's executable
 * jar in a JVM of its own, as deployed) turns them into the snapshots: the latency is then from the status event (its
 * timestamp, the snapshot's {@code updated_at}) to the client, through the aggregator and the gateway.
 *
 * <p>{@code bench/run dev.trawl.bench.gateway.GatewayBenchmark [clients,clients…] [changes/s] [seconds] [parents]}
 */
public final class GatewayBenchmark {

    private static final int BUCKETS = 10_000; // 1 ms each

    private GatewayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String[] counts = (args.length > 0 ? args[0] : "1000,5000").split(",");
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int parents = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        System.out.printf("machine: %d cores, Java %s; %d changes/s over %d parents for %d s per run%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), rate, parents,
                seconds);
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Path log = Files.createTempFile("gateway-bench", ".log");
            List<String> gatewayArgs = new ArrayList<>(List.of(
                    "--trawl.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--trawl.gateway.ws.idle-timeout=1h", "--logging.level.root=WARN",
                    // keep the other services' application.yml files on this classpath out of the gateway
                    "--spring.config.name=bench-gateway", "--management.endpoints.web.exposure.include=health,metrics",
                    // ready once the read model caught up, as the gateway's application.yml has it
                    "--management.endpoint.health.probes.enabled=true",
                    "--management.endpoint.health.group.readiness.include=readinessState,readModel"));
            gatewayArgs.addAll(splitProperty("bench.gateway-args")); // e.g. --trawl.gateway.ws.coalesce-interval=10ms
            try (ServiceProcess gateway = ServiceProcess.mainClass("gateway", GatewayApplication.class)
                    .jvmArgs(gatewayJvmArgs()).args(gatewayArgs).log(log).start();
                 KafkaProducer<String, ParentProgress> producer = producer(broker.bootstrapServers(),
                         Topics.PARENT_PROGRESS);
                 KafkaProducer<String, JobEvent> events = producer(broker.bootstrapServers(),
                         Topics.JOB_EVENTS)) {
                HttpClient http = HttpClient.newHttpClient();
                int port = gateway.httpPort();
                gateway.awaitReady(Duration.ofSeconds(120));
                boolean endToEnd = Boolean.getBoolean("bench.e2e");
                List<String> ids = new ArrayList<>();
                long[] versions = new long[parents];
                int childrenPerParent = (int) (rate * (seconds + warmUpSeconds()) * counts.length / parents + 3);
                for (int i = 0; i < parents; i++) {
                    ids.add(Ids.newParentId());
                    versions[i] = 1;
                    if (endToEnd) {
                        submit(events, ids.get(i), i, childrenPerParent);
                    } else {
                        producer.send(record(ids.get(i), 1));
                    }
                }
                producer.flush();
                events.flush();
                AutoCloseable aggregator = null;
                java.util.function.IntConsumer change = parent -> producer.send(record(ids.get(parent),
                        ++versions[parent]));
                if (endToEnd) {
                    if (Boolean.getBoolean("bench.aggregator-jvm")) {
                        System.out.println("end to end: status events -> aggregator (own JVM) -> gateway -> clients");
                        aggregator = ServiceProcess.jar("aggregator",
                                        ServiceProcess.executableJar(AggregatorApplication.class))
                                .args("--trawl.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                                        "--trawl.aggregator.state-dir="
                                                + Files.createTempDirectory("bench-e2e-aggregator"),
                                        "--logging.level.root=WARN")
                                .log(Files.createTempFile("aggregator-bench", ".log")).start()
                                .awaitReady(Duration.ofMinutes(2));
                    } else {
                        System.out.println("end to end: status events -> aggregator (this JVM) -> gateway -> clients");
                        ProgressAggregator inProcess = new ProgressAggregator(ProgressAggregator.Settings.defaults(
                                broker.bootstrapServers(), Files.createTempDirectory("bench-e2e-aggregator"))
                                .withOverrides(AggregatorBenchmark.overrides()));
                        inProcess.start();
                        aggregator = inProcess;
                    }
                    awaitScheduled(broker.bootstrapServers(), ids, childrenPerParent);
                    change = parent -> events.send(completed(ids.get(parent), parent, (int) ++versions[parent]));
                }
                for (String count : counts) {
                    run(Integer.parseInt(count.strip()), rate, seconds, ids, change, http, port,
                            endToEnd ? broker.bootstrapServers() : null, gateway.pid());
                }
                producer.flush();
                events.flush();
                if (aggregator != null) {
                    aggregator.close();
                }
                // SIGTERM first: the gateway shuts down cleanly (a flight recording given in its JVM arguments
                // with dumponexit=true is written)
                gateway.stop(Duration.ofSeconds(30));
                System.out.println("gateway log: " + log);
            }
        }
        System.exit(0);
    }

    /**
     * @param observe the broker to watch {@code trawl.parent-progress} on, end to end: the aggregator's share of the
     *                latency (status event to snapshot readable, read_committed) is measured in the same run
     */
    private static void run(int clients, int rate, int seconds, List<String> ids,
                            java.util.function.IntConsumer change, HttpClient http, int port, String observe,
                            long gatewayPid) throws Exception {
        AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
        AtomicLong received = new AtomicLong();
        AtomicLong snapshots = new AtomicLong();
        long[] measureFrom = {Long.MAX_VALUE};
        // -Dbench.timeline=true: what happened around the worst slices of the run (Timeline)
        Timeline timeline = Boolean.getBoolean("bench.timeline")
                ? new Timeline(System.currentTimeMillis(), gatewayPid) : null;
        Messages messages = new Messages(histogram, received, snapshots, measureFrom, timeline);
        // -Dbench.clients=jdk: java.net.http clients instead of the lean selector-based ones
        boolean jdkClients = "jdk".equals(System.getProperty("bench.clients"));
        List<WebSocket> sockets = new ArrayList<>();
        LeanClients lean = jdkClients ? null : new LeanClients(port, (buffer, offset, length) ->
                messages.onText(buffer, offset, length, System.currentTimeMillis()));
        List<HttpClient> pool = new ArrayList<>();
        for (int i = 0; jdkClients && i < 8; i++) {
            pool.add(HttpClient.newHttpClient());
        }
        long opening = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            String job = ids.get(i % ids.size());
            String subscribe = "{\"op\":\"subscribe\",\"job_id\":\"" + job + "\"}";
            if (lean != null) {
                lean.connect(subscribe);
                continue;
            }
            WebSocket socket = pool.get(i % pool.size()).newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new Client(messages))
                    .get(30, TimeUnit.SECONDS);
            socket.sendText(subscribe, true).get(30, TimeUnit.SECONDS);
            sockets.add(socket);
        }
        while (snapshots.get() < clients) {
            Thread.onSpinWait();
        }
        System.out.printf("%n%d clients connected and subscribed in %.1f s%n", clients,
                (System.nanoTime() - opening) / 1e9);

        long warmUp = warmUpSeconds();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds + warmUp);
        measureFrom[0] = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(warmUp);
        AtomicLongArray readable = new AtomicLongArray(BUCKETS);
        Thread observer = observe == null ? null : new Thread(() -> {
            // the gateway's view of Kafka: its topics and its consumer settings (ReadModelConsumer)
            try (var progress = TopicReader.open(observe, false, Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000), Topics.PARENT_PROGRESS.name(),
                    Topics.CHILD_PROGRESS.name(), Topics.DOCUMENTS.name())) {
                var deserializer = Topics.PARENT_PROGRESS.valueSerde().deserializer();
                while (System.nanoTime() < end + 1_000_000_000L) {
                    for (var r : progress.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        ParentProgress p = r.value() == null || !r.topic().equals(Topics.PARENT_PROGRESS.name())
                                ? null : deserializer.deserialize(r.topic(), r.value());
                        if (p != null && p.updatedAt().toEpochMilli() >= measureFrom[0]) {
                            record(readable, now - p.updatedAt().toEpochMilli());
                        }
                        if (p != null && timeline != null) {
                            timeline.readable(p.updatedAt().toEpochMilli(), now - p.updatedAt().toEpochMilli());
                        }
                    }
                }
            }
        }, "snapshot-observer");
        if (observer != null) {
            observer.setDaemon(true);
            observer.start();
        }
        // CPU is measured over the measured part of the run, after the warm-up
        Map<String, Long> threadCpuStart = new HashMap<>();
        long gatewayCpuStart = 0;
        long cpuFrom = 0;
        long sent = 0;
        long maxHeap = 0;
        long nextHeapSample = start;
        long periodNanos = 1_000_000_000L / rate;
        int next = 0;
        while (System.nanoTime() < end) {
            long due = start + sent * periodNanos;
            long now = System.nanoTime();
            if (now < due) {
                if (now >= nextHeapSample) {
                    maxHeap = Math.max(maxHeap, heapUsed(http, port));
                    nextHeapSample = now + 1_000_000_000L;
                }
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait - 100_000);
                }
                continue;
            }
            if (cpuFrom == 0 && System.currentTimeMillis() >= measureFrom[0]) {
                AggregatorBenchmark.cpuByThreadGroup(threadCpuStart);
                gatewayCpuStart = processCpuNanos(gatewayPid);
                cpuFrom = System.nanoTime();
            }
            change.accept(next++ % ids.size());
            sent++;
        }
        long afterRun = heapUsed(http, port);
        double wallNanos = System.nanoTime() - cpuFrom;
        Map<String, Long> threadCpuEnd = new HashMap<>();
        AggregatorBenchmark.cpuByThreadGroup(threadCpuEnd);
        System.out.printf("%d clients: CPU, in cores: gateway JVM %.2f; this JVM's busiest thread groups:", clients,
                (processCpuNanos(gatewayPid) - gatewayCpuStart) / wallNanos);
        threadCpuEnd.entrySet().stream().map(e -> Map.entry(e.getKey(),
                        e.getValue() - threadCpuStart.getOrDefault(e.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
                .forEach(e -> System.out.printf(" %s %.2f;", e.getKey(), e.getValue() / wallNanos));
        System.out.println();
        if (observer != null) {
            observer.join();
            long snapshotsRead = total(readable);
            System.out.printf("%d clients: of which status event -> snapshot readable (aggregator, read_committed)"
                            + " p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", clients,
                    percentile(readable, snapshotsRead, 0.50), percentile(readable, snapshotsRead, 0.90),
                    percentile(readable, snapshotsRead, 0.99), percentile(readable, snapshotsRead, 1.0));
        }
        long measured = total(histogram);
        System.out.printf("%d clients: %d snapshots produced (%.0f/s), %d messages received (%.0f/s), %d measured%n",
                clients, sent, sent / ((end - start) / 1e9), received.get(),
                received.get() / ((end - start) / 1e9), measured);
        System.out.printf("%d clients: latency production -> client p50 %d ms, p90 %d ms, p99 %d ms, p99.9 %d ms,"
                        + " max %d ms%n", clients, percentile(histogram, measured, 0.50),
                percentile(histogram, measured, 0.90), percentile(histogram, measured, 0.99),
                percentile(histogram, measured, 0.999), percentile(histogram, measured, 1.0));
        System.out.printf("%d clients: gateway heap used max %d MB during the run, %d MB at its end (-Xmx512m)%n",
                clients, maxHeap >> 20, afterRun >> 20);
        if (timeline != null) {
            timeline.print(Long.getLong("bench.timeline-bound", 200));
        }
        for (WebSocket socket : sockets) {
            socket.abort();
        }
        if (lean != null) {
            lean.close();
        }
    }

    private static final byte[] PROGRESS_PREFIX = "{\"type\":\"parent_job_progress\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_PREFIX = "{\"type\":\"snapshot\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPDATED_AT = "\"updated_at\":\"".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] buffer, int offset, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] buffer, int offset, int length, byte[] wanted) {
        outer:
        for (int i = offset; i <= offset + length - wanted.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (buffer[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no " + new String(wanted, StandardCharsets.US_ASCII) + " in a message");
    }

    /**
     * Counts the messages every client receives: a {@code parent_job_progress} is one update, its latency now minus
     * its {@code updated_at}; a {@code snapshot} answers a subscription.
     */
    private record Messages(AtomicLongArray histogram, AtomicLong received, AtomicLong snapshots,
                            long[] measureFrom, Timeline timeline) {

        void onText(byte[] buffer, int offset, int length, long now) {
            if (startsWith(buffer, offset, length, PROGRESS_PREFIX)) {
                received.incrementAndGet();
                int at = indexOf(buffer, offset, length, UPDATED_AT) + UPDATED_AT.length;
                int end = at;
                while (buffer[end] != '"') {
                    end++;
                }
                long producedAt = Instant.parse(new String(buffer, at, end - at, StandardCharsets.US_ASCII))
                        .toEpochMilli();
                if (producedAt >= measureFrom[0]) {
                    record(histogram, now - producedAt);
                }
                if (timeline != null) {
                    timeline.client(producedAt, now - producedAt);
                }
            } else if (startsWith(buffer, offset, length, SNAPSHOT_PREFIX)) {
                snapshots.incrementAndGet();
            }
        }
    }

    /** A java.net.http client: reassembles each message and hands it to {@link Messages}. */
    private static final class Client implements WebSocket.Listener {
        private final Messages messages;
        private final StringBuilder partial = new StringBuilder();

        Client(Messages messages) {
            this.messages = messages;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.currentTimeMillis();
            partial.append(data);
            if (last) {
                byte[] message = partial.toString().getBytes(StandardCharsets.UTF_8);
                partial.setLength(0);
                messages.onText(message, 0, message.length, now);
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Counts one latency in its millisecond bucket (the last bucket takes everything longer). */
    private static void record(AtomicLongArray histogram, long millis) {
        histogram.incrementAndGet((int) Math.min(BUCKETS - 1, Math.max(0, millis)));
    }

    private static long total(AtomicLongArray histogram) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += histogram.get(i);
        }
        return total;
    }

    /** -Xmx512m and G1 (unless another collector is given), plus {@code -Dbench.gateway-jvm-args="…"}. */
    private static List<String> gatewayJvmArgs() {
        List<String> more = splitProperty("bench.gateway-jvm-args");
        List<String> args = new ArrayList<>(List.of("-Xmx512m"));
        if (more.stream().noneMatch(a -> a.matches("-XX:\\+Use\\w+GC"))) {
            args.add("-XX:+UseG1GC");
        }
        args.addAll(more);
        return args;
    }

    /**
     * Seconds of each run before the measured part. The gateway JVM's JIT compiles for about 40 s after it starts
     * (seen with -XX:+LogCompilation), so a running gateway's figures need a warm-up past that;
     * {@code -Dbench.warmup-seconds=5} shows a fresh one's.
     */
    private static long warmUpSeconds() {
        return Long.getLong("bench.warmup-seconds", 20);
    }

    /** A system property's space-separated words, none if it is not set. */
    private static List<String> splitProperty(String name) {
        String value = System.getProperty(name, "").strip();
        return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
    }

    private static long processCpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private static long percentile(AtomicLongArray histogram, long total, double p) {
        long wanted = Math.max(1, (long) Math.ceil(total * p));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram.get(i);
            if (seen >= wanted) {
                return i;
            }
        }
        return BUCKETS;
    }

    private static ProducerRecord<String, ParentProgress> record(String id, long version) {
        Instant now = Instant.now();
        long total = 1000;
        long completed = Math.min(version, total - 1);
        return new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, new ParentProgress(id, "bench " + id,
                JobStatus.RUNNING, total - completed - 1, 1, completed, 0, 0, total, completed, completed * 1000,
                (double) completed / total, 60L, ProgressText.format(total - completed - 1, 1, completed, 0),
                now, now, now, null, null, version));
    }

    private static String childUrl(int parent, int child) {
        return "http://bench-" + parent + ".test/p/" + child;
    }

    /** A crawl whose seed is done and links scheduled {@code children - 1} more children, all pending. */
    private static void submit(KafkaProducer<String, JobEvent> events, String id, int parent, int children) {
        List<String> links = new ArrayList<>();
        for (int c = 1; c < children; c++) {
            links.add(childUrl(parent, c));
        }
        String seed = childUrl(parent, 0);
        events.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), id, new JobSubmitted("s" + id, id, Instant.now(),
                new CrawlSpec("bench " + id, List.of(seed), 1, children, true, List.of(), List.of(),
                        ErrorTolerance.UNLIMITED))));
        events.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), id, new LinksDiscovered("l" + id, id,
                Ids.childId(id, seed), 0, Instant.now(), links)));
    }

    /** The {@code n}-th completion of parent {@code id}, stamped now: the snapshot's updated_at becomes now. */
    private static ProducerRecord<String, JobEvent> completed(String id, int parent, int n) {
        String url = childUrl(parent, n);
        String child = Ids.childId(id, url);
        return new ProducerRecord<>(Topics.JOB_EVENTS.name(), id, new ChildStatusChanged("c" + child, id, child, url,
                1, ChildStatus.COMPLETED, 1, Instant.now(), null, null, 200, child, 1000));
    }

    /** A plain producer of {@code topic}'s records, acks from the leader, 1 ms linger ({@code -Dbench.linger-ms}). */
    private static <V> KafkaProducer<String, V> producer(String bootstrap, Topic<String, V> topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, Integer.getInteger("bench.linger-ms", 1));
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        return new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /**
     * Waits until the aggregator has scheduled every parent's children (a snapshot with the full total for each), so
     * the measured runs do not share the machine with the set-up's backlog (tasks and child records to write).
     */
    private static void awaitScheduled(String bootstrap, List<String> ids, int children) {
        long started = System.nanoTime();
        try (var progress = TopicReader.fromStart(bootstrap, Topics.PARENT_PROGRESS.name())) {
            Snapshots.awaitTotal(progress, ids, children, Duration.ofMinutes(5));
        }
        System.out.printf("aggregator scheduled %d × %d children in %.1f s%n", ids.size(), children,
                (System.nanoTime() - started) / 1e9);
    }

    private static long heapUsed(HttpClient http, int port) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/metrics/jvm.memory.used?tag=area:heap")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return (long) Json.MAPPER.readTree(body).path("measurements").get(0).path("value").doubleValue();
        } catch (Exception e) {
            return -1;
        }
    }
}

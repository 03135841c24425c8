package dev.trawl.bench.crawl;

import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.CrawlMetrics;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Crawler worker throughput on a generated loopback site, everything in this JVM: an embedded broker, the site
 * (measured alone first), and 1 then 2 {@link CrawlWorker} instances (one consumer group, separate producers and
 * fetch pools). The 5,000 crawl tasks are produced up front, keyed by host shard as the aggregator does, so the
 * figure is the worker's (fetch, parse, Markdown, transactional produce), not the frontier's.
 *
 * <p>{@code bench/run dev.trawl.bench.crawl.CrawlBenchmark [pages] [shards]}
 */
public final class CrawlBenchmark {

    private CrawlBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pages = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("java.version"));
        System.out.printf("median Markdown conversion of a 20 KB page: %.2f ms%n", ConversionBenchmark.medianConversionMillis());
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             GeneratedSite site = GeneratedSite.start(pages, 0)) {
            System.out.printf("site alone: %.0f requests/s (16 client threads, keep-alive)%n",
                    serverAlone(site, pages));
            for (int replicas : new int[] {1, 2}) {
                run(broker.bootstrapServers(), site, pages, shards, replicas);
            }
        }
        System.exit(0);
    }

    /** One group of {@code replicas} workers: a warm-up crawl (group formed, JIT warm), then the measured one. */
    private static void run(String bootstrap, GeneratedSite site, int pages, int shards, int replicas)
            throws Exception {
        String groupId = "bench-" + UUID.randomUUID();
        List<CrawlWorker> workers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            workers.add(new CrawlWorker(WorkerSettings.defaults(bootstrap)
                    .withGroupId(groupId)
                    .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                    .withPolitenessDelay(Duration.ZERO)).start());
        }
        try {
            crawl(bootstrap, site, Math.min(pages, 1_000), shards, replicas, true);
            crawl(bootstrap, site, pages, shards, replicas, false);
        } finally {
            workers.forEach(CrawlWorker::close);
        }
    }

    private static void crawl(String bootstrap, GeneratedSite site, int pages, int shards, int replicas,
                              boolean warmUp) throws Exception {
        String parentId = Ids.newParentId();
        try (KafkaConsumer<byte[], byte[]> events = TopicReader.fromNow(bootstrap, Topics.JOB_EVENTS.name())) {
            long endOfTasks = produceTasks(bootstrap, site, parentId, pages, shards);
            CrawlMetrics.reset();
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            Set<String> finished = new HashSet<>();
            int expected = (int) endOfTasks;
            while (finished.size() < expected) {
                for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(100))) {
                    JobEvent e = Topics.JOB_EVENTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (e instanceof ChildStatusChanged c && c.parentId().equals(parentId) && c.status().isTerminal()) {
                        finished.add(c.childId());
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMs = (processCpuNanos() - cpuStart) / 1e6;
            if (!warmUp) {
                System.out.printf("%d replica(s): %d pages in %.2f s = %.0f pages/s; process CPU %.2f ms/page"
                                + " (fetch %.3f, parse %.3f, convert %.3f, produce %.3f ms/page)%n",
                        replicas, expected, seconds, expected / seconds, cpuMs / expected,
                        perPage(CrawlMetrics.Phase.FETCH, expected), perPage(CrawlMetrics.Phase.PARSE, expected),
                        perPage(CrawlMetrics.Phase.CONVERT, expected), perPage(CrawlMetrics.Phase.PRODUCE, expected));
            }
        }
    }

    private static double perPage(CrawlMetrics.Phase phase, int pages) {
        return CrawlMetrics.cpuNanos(phase) / 1e6 / pages;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** @return how many tasks were produced */
    private static long produceTasks(String bootstrap, GeneratedSite site, String parentId, int count, int shards)
            throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        String topic = Topics.CRAWL_TASKS.name();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int page = 0; page < count; page++) {
                String url = UrlNormalizer.normalize(site.baseUrl() + "/p/" + page).orElseThrow();
                String childId = Ids.childId(parentId, url);
                CrawlTask task = new CrawlTask(parentId, childId, url, 1, 1, shards, Instant.now());
                String key = Ids.hostShardKey(UrlNormalizer.host(url), childId, shards);
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        Topics.CRAWL_TASKS.valueSerde().serializer().serialize(topic, task)));
            }
            producer.flush();
        }
        return count;
    }



    /** Requests/s the site serves to 16 keep-alive client threads for 3 s (after a 1 s warm-up). */
    private static double serverAlone(GeneratedSite site, int pages) throws Exception {
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(32).setMaxConnPerRoute(32).build())
                .build()) {
            hammer(client, site, pages, 1_000);
            return hammer(client, site, pages, 3_000);
        }
    }

    private static double hammer(CloseableHttpClient client, GeneratedSite site, int pages, long millis)
            throws InterruptedException {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (int t = 0; t < 16; t++) {
            int offset = t;
            pool.submit(() -> {
                int i = offset;
                while (System.nanoTime() < end) {
                    HttpGet get = new HttpGet(site.baseUrl() + "/p/" + (i++ % pages));
                    try {
                        client.execute(get, response -> {
                            EntityUtils.consume(response.getEntity());
                            return null;
                        });
                        done.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(millis + 10_000, TimeUnit.MILLISECONDS);
        return done.get() * 1000.0 / millis;
    }
}

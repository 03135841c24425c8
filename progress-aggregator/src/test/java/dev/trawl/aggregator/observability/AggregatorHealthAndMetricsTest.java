package dev.trawl.aggregator.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.AggregatorApplication;
import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.id.Ids;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The aggregator service as it runs (Spring Boot, Actuator on an HTTP port) on the shared broker: its health
 * follows its Kafka Streams client, and a Prometheus scrape shows Trawl's meters counting what it folded.
 */
class AggregatorHealthAndMetricsTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthIsUpWhileStreamsRunsAndDownOnceItStopsAndTheScrapeCountsTheEventsFolded() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(AggregatorApplication.class).run(
                "--server.port=0", "--spring.main.banner-mode=off",
                "--trawl.kafka.bootstrap-servers=" + bootstrap,
                "--trawl.aggregator.application-id=health-test-" + UUID.randomUUID(),
                "--trawl.aggregator.state-dir=" + Files.createTempDirectory("aggregator-health"),
                "--trawl.aggregator.standby-replicas=0");
        try (context; KafkaProducer<byte[], byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> tasks = TopicReader.fromNow(bootstrap, Topics.CRAWL_TASKS.name())) {
            String base = "http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
            await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/actuator/health/readiness").statusCode() == 200);
            JsonNode health = Json.MAPPER.readTree(get(base + "/actuator/health").body());
            JsonNode streams = health.path("components").path("kafkaStreams");
            assertThat(streams.path("status").asString()).isEqualTo("UP");
            assertThat(streams.path("details").path("state").asString()).isIn("RUNNING", "REBALANCING");
            assertThat(get(base + "/actuator/health/liveness").statusCode()).isEqualTo(200);

            // real work: a crawl submitted, its seed task dispatched, and the seed reported completed by a "worker"
            String parent = Ids.newParentId();
            send(producer, new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec("health",
                    List.of("http://health.test/"), 0, 10, true, List.of(), List.of(), ErrorTolerance.UNLIMITED)));
            CrawlTask seed = awaitTask(tasks, parent);
            send(producer, ChildStatusChanged.running("r-" + seed.childId(), seed, Instant.now()));
            send(producer, ChildStatusChanged.completed("c-" + seed.childId(), seed, Instant.now(), 200,
                    seed.childId(), 100));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String scrape = get(base + "/actuator/prometheus").body();
                assertThat(sample(scrape, "trawl_aggregator_events_folded_total")).isGreaterThanOrEqualTo(3);
                assertThat(sample(scrape, "trawl_aggregator_fold_staleness_seconds_count")).isGreaterThanOrEqualTo(1);
                assertThat(sample(scrape, "trawl_aggregator_fold_staleness_seconds_sum")).isPositive();
                assertThat(scrape).contains("trawl_aggregator_flow_limit{")
                        // the Streams client's own metrics, through Micrometer's KafkaStreamsMetrics
                        .contains("kafka_consumer_fetch_manager_records_lag_max{")
                        .contains("kafka_stream_thread_process_total{");
            });

            context.getBean(ProgressAggregator.class).close(); // the Streams client stops: NOT_RUNNING
            await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/actuator/health/liveness").statusCode() == 503);
            JsonNode down = Json.MAPPER.readTree(get(base + "/actuator/health").body()).path("components")
                    .path("kafkaStreams");
            assertThat(down.path("status").asString()).isEqualTo("DOWN");
            assertThat(down.path("details").path("state").asString()).isEqualTo("NOT_RUNNING");
            assertThat(get(base + "/actuator/health/readiness").statusCode()).isEqualTo(503);
        }
    }

    /** The value of the first sample of {@code metric} (any tags) in a Prometheus text scrape. */
    static double sample(String scrape, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no " + metric + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, JobEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(),
                new StringSerializer().serialize(null, event.parentId()),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event))).get();
    }

    private static CrawlTask awaitTask(KafkaConsumer<byte[], byte[]> tasks, String parent) {
        List<CrawlTask> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (ConsumerRecord<byte[], byte[]> r : tasks.poll(Duration.ofMillis(200))) {
                CrawlTask task = Topics.CRAWL_TASKS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (task.parentId().equals(parent)) {
                    found.add(task);
                }
            }
            return !found.isEmpty();
        });
        return found.get(0);
    }
}

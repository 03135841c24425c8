package dev.trawl.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.id.Ids;
import dev.trawl.api.serde.Json;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.worker.WorkerApplication;
import dev.trawl.worker.delivery.KafkaTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The worker service as it runs (Spring Boot, Actuator on an HTTP port) on a broker of its own, so that the test
 * can take the broker away: the scrape counts exactly the pages it crawled, and its health goes DOWN without a
 * broker.
 */
class WorkerHealthAndMetricsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theScrapeCountsPagesByOutcomeAndHealthGoesDownWhenTheBrokerIsGone() throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.start(); // its own: this test stops it
        ConfigurableApplicationContext context = null;
        boolean brokerClosed = false;
        try (GeneratedSite site = GeneratedSite.start(10, 3)) {
            context = new SpringApplicationBuilder(WorkerApplication.class).run(
                    "--server.port=0", "--spring.main.banner-mode=off",
                    "--trawl.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--trawl.worker.group-id=health-test-" + UUID.randomUUID(),
                    "--trawl.worker.instance-id=health-test-" + UUID.randomUUID(),
                    "--trawl.worker.politeness-delay=0ms",
                    "--trawl.worker.allowed-private-cidrs=127.0.0.0/8");
            String base = "http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
            await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/actuator/health/readiness").statusCode() == 200);
            JsonNode worker = Json.MAPPER.readTree(get(base + "/actuator/health").body()).path("components")
                    .path("crawlWorker");
            assertThat(worker.path("status").asString()).isEqualTo("UP");

            // the only tasks on this broker: two pages and a missing one
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                String parent = Ids.newParentId();
                KafkaTestSupport.submit(producer, parent, site.baseUrl() + "/p/1");
                KafkaTestSupport.submit(producer, parent, site.baseUrl() + "/p/2");
                KafkaTestSupport.submit(producer, parent, site.baseUrl() + "/missing/1");
                producer.flush();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String scrape = get(base + "/actuator/prometheus").body();
                assertThat(sample(scrape, "trawl_worker_pages_total", "outcome=\"completed\"")).isEqualTo(2);
                assertThat(sample(scrape, "trawl_worker_pages_total", "outcome=\"failed\",reason_class=\"error\"")
                        + sample(scrape, "trawl_worker_pages_total", "outcome=\"failed\",reason_class=\"policy\""))
                        .isEqualTo(1);
                assertThat(sample(scrape, "trawl_worker_transactions_total", "result=\"committed\"")).isPositive();
                // the task consumer's own metrics, through Micrometer's KafkaClientMetrics
                assertThat(scrape).contains("kafka_consumer_fetch_manager_records_lag_max{");
            });

            broker.close();
            brokerClosed = true;
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                HttpResponse<String> liveness = get(base + "/actuator/health/liveness");
                assertThat(liveness.statusCode()).as(liveness.body()).isEqualTo(503);
            });
            JsonNode down = Json.MAPPER.readTree(get(base + "/actuator/health").body()).path("components")
                    .path("crawlWorker");
            assertThat(down.path("status").asString()).isEqualTo("DOWN");
            assertThat(down.path("details").path("reason").asString()).startsWith("no broker");
            assertThat(get(base + "/actuator/health/readiness").statusCode()).isEqualTo(503);
        } finally {
            if (context != null) {
                context.close();
            }
            if (!brokerClosed) {
                broker.close();
            }
        }
    }

    /** The value of the sample of {@code metric} whose tags contain {@code tags}, 0 when there is none. */
    static double sample(String scrape, String metric, String tags) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(tags)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package dev.trawl.gateway.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's readiness follows its read model's catch-up with the topics, and a Prometheus scrape shows its
 * meters after live traffic. The catch-up is held at one record the topic held before the gateway started (the
 * read model blocks while applying it), so "before catch-up" lasts as long as the test needs it to.
 */
@Timeout(120)
class GatewayHealthAndMetricsTest {

    private static volatile String gatedParent;
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static final CountDownLatch HELD = new CountDownLatch(1);

    /** The real read model, that stops at {@link #gatedParent}'s snapshot until the test releases it. */
    static final class GatedReadModel extends ReadModel {

        GatedReadModel(GatewayProperties properties) {
            super(properties);
        }

        @Override
        public void applyParent(String parentId, ParentProgress snapshot) {
            if (parentId.equals(gatedParent) && RELEASE.getCount() > 0) {
                HELD.countDown();
                try {
                    RELEASE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.applyParent(parentId, snapshot);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void notReadyUntilTheReadModelCaughtUpThenTheScrapeCountsSnapshotsPushedAndClientsConnected() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        String id = Ids.newParentId();
        gatedParent = id;
        try (KafkaProducer<String, ParentProgress> producer = producer(bootstrap)) {
            producer.send(snapshot(id, 1)).get(); // on the topic before the gateway starts: part of its catch-up

            // the scanned read model's bean made a GatedReadModel (not a @Configuration: the gateways of other tests
            // in this JVM scan this package too)
            ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
                    .initializers(context -> context.addBeanFactoryPostProcessor(beans -> beans
                            .getBeanDefinition("readModel").setBeanClassName(GatedReadModel.class.getName())))
                    .properties("server.port=0", "trawl.kafka.bootstrap-servers=" + bootstrap).run();
            try (gateway) {
                assertThat(gateway.getBean(ReadModel.class)).isInstanceOf(GatedReadModel.class);
                String base = "http://127.0.0.1:" + gateway.getEnvironment().getRequiredProperty("local.server.port");
                assertThat(HELD.await(60, TimeUnit.SECONDS)).isTrue();

                HttpResponse<String> notReady = get(base + "/actuator/health/readiness");
                assertThat(notReady.statusCode()).isEqualTo(503);
                assertThat(Json.MAPPER.readTree(notReady.body()).path("components").path("readModel").path("status")
                        .asString()).isEqualTo("OUT_OF_SERVICE");
                assertThat(get(base + "/actuator/health/liveness").statusCode()).isEqualTo(200);

                RELEASE.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/actuator/health/readiness")
                        .statusCode() == 200);
                JsonNode readModel = Json.MAPPER.readTree(get(base + "/actuator/health").body()).path("components")
                        .path("readModel");
                assertThat(readModel.path("status").asString()).isEqualTo("UP");
                assertThat(readModel.path("details").path("caught_up").booleanValue()).isTrue();

                int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
                try (WsClient live = new WsClient(port)) {
                    live.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
                    live.await(WsClient.type("snapshot", id));
                    producer.send(snapshot(id, 2)).get();
                    live.await(m -> WsClient.type("parent_job_progress", id).test(m)
                            && m.path("version").longValue() == 2);

                    String scrape = get(base + "/actuator/prometheus").body();
                    assertThat(sample(scrape, "trawl_gateway_snapshots_pushed_total", "channel=\"websocket\""))
                            .isGreaterThanOrEqualTo(2);
                    assertThat(sample(scrape, "trawl_gateway_clients_connected", "channel=\"websocket\""))
                            .isGreaterThanOrEqualTo(1);
                    assertThat(sample(scrape, "trawl_gateway_readmodel_caught_up", "")).isEqualTo(1);
                    assertThat(sample(scrape, "trawl_gateway_readmodel_records_total", "result=\"applied\""))
                            .isGreaterThanOrEqualTo(2);
                    // the read model consumer's own metrics, through Micrometer's KafkaClientMetrics
                    assertThat(scrape).contains("kafka_consumer_fetch_manager_records_lag_max{");
                }
            }
        }
    }

    /** The value of the first sample of {@code metric} whose tags contain {@code tags}; fails when none has. */
    static double sample(String scrape, String metric, String tags) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(tags)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + metric + " with " + tags + " in the scrape");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ProducerRecord<String, ParentProgress> snapshot(String id, long version) {
        Instant at = Instant.now();
        return new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, new ParentProgress(id, "health",
                JobStatus.RUNNING, 1, 0, 0, 0, 0, 1, 0, 0, 0.0, null, ProgressText.format(1, 0, 0, 0), at, at, at,
                null, null, version));
    }

    private static KafkaProducer<String, ParentProgress> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }
}

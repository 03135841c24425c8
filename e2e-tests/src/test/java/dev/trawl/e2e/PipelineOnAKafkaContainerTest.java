package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.AggregatorApplication;
import dev.trawl.api.serde.Json;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.testkit.ServiceProcess;
import dev.trawl.worker.WorkerApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import tools.jackson.databind.JsonNode;

/**
 * The pipeline's services against a Kafka broker in a container (Testcontainers' {@link KafkaContainer}, KRaft)
 * that admits only authenticated clients (SASL/PLAIN), as an existing cluster of a user's would: the aggregator, the
 * gateway and a worker run as processes from their executable jars, configured the way their containers are, by
 * environment variables only ({@code TRAWL_KAFKA_BOOTSTRAP_SERVERS}, {@code TRAWL_KAFKA_PROPERTIES_SECURITY_PROTOCOL},
 * {@code TRAWL_KAFKA_PROPERTIES_SASL_*}). Each is ready by its own readiness probe before a crawl of a generated
 * loopback site, which must end with exact counts; a client with a wrong password is refused, so the services
 * passed the broker's authentication.
 *
 * <p>The broker image is {@code trawl/kafka:4.2.1} ({@code docker/build-images.sh kafka} builds it from the Kafka jars
 * of Maven Central: no image registry is reachable here), a stand-in for {@code apache/kafka}, configured from
 * {@code KAFKA_*} variables as the official image is; override it with {@code -Dtrawl.kafka.image=…} or
 * {@code TRAWL_KAFKA_IMAGE} (e.g. {@code apache/kafka:4.2.1} where a registry is reachable). Skipped when no Docker
 * engine answers or the image is missing, except under {@code CI=true}, where {@code .ci/run} provides both and
 * their absence fails the test.
 */
@Timeout(600)
class PipelineOnAKafkaContainerTest {

    static final String DEFAULT_IMAGE = "trawl/kafka:4.2.1";
    private static final int PAGES = 60;
    private static final int MAX_DEPTH = 50;
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCrawlOnASaslKafkaContainerEndsWithExactCountsAndEveryServiceReportsReady() throws Exception {
        DockerImageName image = requireDockerAndImage();
        List<ServiceProcess> services = new ArrayList<>();
        // the broker's JVM starts in seconds on a quiet machine; CI runs it beside the rest of the build
        try (KafkaContainer kafka = new KafkaContainer(image.asCompatibleSubstituteFor("apache/kafka"))
                .withStartupTimeout(Duration.ofMinutes(3))
                // the listener clients use (Testcontainers names it PLAINTEXT) asks for SASL/PLAIN; the brokers'
                // and the controller's own listeners stay as Testcontainers sets them
                .withEnv("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                        "BROKER:PLAINTEXT,PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .withEnv("KAFKA_SASL_ENABLED_MECHANISMS", "PLAIN")
                .withEnv("KAFKA_LISTENER_NAME_PLAINTEXT_PLAIN_SASL_JAAS_CONFIG", PLAIN_LOGIN
                        + " username=\"admin\" password=\"admin-secret\" user_trawl=\"trawl-secret\";");
             GeneratedSite site = GeneratedSite.start(PAGES, 10)) {
            kafka.start();
            String bootstrap = kafka.getBootstrapServers();
            assertWrongPasswordIsRefused(bootstrap);
            Map<String, String> env = Map.of(
                    "TRAWL_KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "TRAWL_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                    "TRAWL_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN",
                    "TRAWL_KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
                    PLAIN_LOGIN + " username=\"trawl\" password=\"trawl-secret\";");
            Path logs = TrawlPipeline.LOGS;

            // no --trawl.kafka.* argument: each service reads the broker and its credentials from env alone
            services.add(ServiceProcess.jar("aggregator", ServiceProcess.executableJar(AggregatorApplication.class))
                    .env(env).log(logs.resolve("container-aggregator.log"))
                    .args("--trawl.aggregator.state-dir=" + Files.createTempDirectory("container-aggregator"),
                            "--spring.main.banner-mode=off")
                    .start());
            ServiceProcess worker = ServiceProcess.jar("worker", ServiceProcess.executableJar(WorkerApplication.class))
                    .jvmArgs(TrawlPipeline.WORKER_JVM).env(env).log(logs.resolve("container-worker.log"))
                    .args("--trawl.worker.instance-id=container-worker",
                            "--trawl.worker.politeness-delay=0ms",
                            "--trawl.worker.allowed-private-cidrs=127.0.0.0/8", "--spring.main.banner-mode=off")
                    .start();
            services.add(worker);
            ServiceProcess gateway = ServiceProcess.jar("gateway", ServiceProcess.executableJar(GatewayApplication.class))
                    .env(env).log(logs.resolve("container-gateway.log")).args("--spring.main.banner-mode=off")
                    .start();
            services.add(gateway);
            String api = gateway.url();

            for (ServiceProcess service : services) {
                service.awaitReady(Duration.ofSeconds(120));
            }

            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(Map.of(
                            "name", "on a Kafka container", "seeds", List.of(site.seedUrl()),
                            "max_depth", MAX_DEPTH, "max_pages", 5000))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).isEqualTo(201);
            String jobId = Json.MAPPER.readTree(submitted.body()).get("id").asString();

            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + jobId))
                        .build(), HttpResponse.BodyHandlers.ofString());
                last[0] = r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
                return last[0] != null && !List.of("pending", "running").contains(last[0].get("status").asString());
            });
            int pages = site.reachablePages(MAX_DEPTH);
            int missing = site.reachableMissing(MAX_DEPTH);
            assertThat(pages).isEqualTo(PAGES);
            assertThat(missing).isPositive();
            JsonNode done = last[0];
            assertThat(done.get("status").asString()).isEqualTo("completed");
            assertThat(done.get("total").asLong()).isEqualTo(pages + missing);
            assertThat(done.get("completed").asLong()).isEqualTo(pages);
            assertThat(done.get("document_count").asLong()).isEqualTo(pages);
            assertThat(done.get("failed").asLong()).isEqualTo(missing);
            assertThat(done.get("progress_text").asString())
                    .isEqualTo("0 pending, 0 running, " + pages + " completed, " + missing + " failed");

            // the worker's committed outcomes, as its Prometheus endpoint counts them: this broker saw no other crawl
            String scrape = body(worker.url() + "/actuator/prometheus");
            assertThat(sample(scrape, "trawl_worker_pages_total", "outcome=\"completed\"")).isEqualTo(pages);
        } finally {
            ServiceProcess.stopAll(services, Duration.ofSeconds(30));
        }
    }

    /** The broker checks credentials: the services' clients above got in by theirs, not by an open door. */
    private static void assertWrongPasswordIsRefused(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, PLAIN_LOGIN + " username=\"trawl\" password=\"wrong\";",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000))) {
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    /**
     * The broker image, once a Docker engine answered and has it; else the test is skipped, or fails under
     * {@code CI=true}.
     */
    private static DockerImageName requireDockerAndImage() {
        String name = System.getProperty("trawl.kafka.image", System.getenv().getOrDefault("TRAWL_KAFKA_IMAGE",
                DEFAULT_IMAGE));
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            unavailable(ci, "no Docker engine answers (under CI=true, .ci/run starts one)");
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(name).exec();
        } catch (RuntimeException notThere) {
            unavailable(ci, "the Docker engine has no image " + name + " (docker/build-images.sh kafka builds "
                    + DEFAULT_IMAGE + "; no registry is reachable to pull one): " + notThere.getMessage());
        }
        return DockerImageName.parse(name);
    }

    private static void unavailable(boolean ci, String why) {
        if (ci) {
            fail("CI=true: " + why);
        }
        Assumptions.abort(why);
    }

    private String body(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the sample of {@code metric} whose tags contain {@code tags}; fails when none has. */
    private static double sample(String scrape, String metric, String tags) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(tags)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + metric + " with " + tags + " in the scrape");
    }
}

package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.readmodel.ReadModelConsumer;
import dev.trawl.testkit.EmbeddedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The gateway started the way the end-to-end suite starts it, restarted, and closed with a stream open. */
@Timeout(120)
class GatewayLifecycleTest {

    @Test
    void restartedGatewayRebuildsItsViewsAndClosesPromptlyWithAStreamOpen() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        String id = Ids.newParentId();
        Instant at = Instant.now();
        try (KafkaProducer<String, ParentProgress> producer = producer(bootstrap)) {
            producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, new ParentProgress(id, "lifecycle",
                    JobStatus.RUNNING, 1, 0, 0, 0, 0, 1, 0, 0, 0.0, null, ProgressText.format(1, 0, 0, 0), at, at, at,
                    null, null, 7))).get();
        }

        for (int start = 0; start < 2; start++) {
            Set<Thread> consumersBefore = readModelThreads(); // other tests' gateways may share this JVM
            ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
                    .properties("server.port=0", "trawl.kafka.bootstrap-servers=" + bootstrap).run();
            int port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
            ReadModelConsumer consumer = gateway.getBean(ReadModelConsumer.class);
            await().atMost(Duration.ofSeconds(30)).until(consumer::caughtUp);
            HttpClient http = HttpClient.newHttpClient();
            URI job = URI.create("http://localhost:" + port + "/api/jobs/" + id);
            assertThat(http.send(HttpRequest.newBuilder(job).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"version\":7");

            HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(job + "/stream"))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);

            gateway.close();
            // the gateway ended the stream itself (the response completes normally; a connection cut by the
            // stopping server would fail the read), and the close did not wait for it (the class's @Timeout)
            assertThat(stream.body().count()).isPositive();
            assertThat(consumer.isRunning()).isFalse();
            assertThat(readModelThreads()).isEqualTo(consumersBefore);
        }
    }

    private static Set<Thread> readModelThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("trawl-gateway-readmodel") && t.isAlive())
                .collect(Collectors.toSet());
    }

    private static KafkaProducer<String, ParentProgress> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }
}

package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.testkit.EmbeddedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A command the Kafka client refuses is answered 503 with a problem, not 202 and not 500: the client's exception
 * reaches the REST layer through the {@code KafkaTemplate}. The refusal comes from a {@code trawl.kafka.properties.*}
 * setting (a request size no record fits), so this also shows those settings reach the command producer.
 */
@Timeout(120)
class CommandsKafkaRefusesTest {

    @Test
    void submissionTheProducerRefusesIsA503Problem() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
                .properties("server.port=0", "trawl.kafka.bootstrap-servers=" + bootstrap,
                        "trawl.kafka.properties.max.request.size=64")
                .run()) {
            String port = gateway.getEnvironment().getRequiredProperty("local.server.port");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/jobs"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"seeds\":[\"https://example.org/\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body()).contains("the job log is unavailable");
        }
    }
}

package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import dev.trawl.gateway.readmodel.ReadModelConsumer;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway replicas on one broker: each builds its own read model from the compacted topics and serves any job;
 * a WebSocket client whose replica goes away reconnects to the other one and resumes from the last version it saw,
 * missing nothing and seeing nothing twice.
 */
@Timeout(180)
class GatewayReplicasTest extends GatewayIntegrationTest {

    @Test
    void aClientMovesToTheOtherReplicaAndResumesWhereItLeftOff() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        publish(progress(id, 2, JobStatus.RUNNING));

        try (ConfigurableApplicationContext replicaA = replica(); ConfigurableApplicationContext replicaB = replica()) {
            int portA = port(replicaA);
            int portB = port(replicaB);
            for (int replicaPort : new int[] {portA, portB, port}) {
                await().atMost(Duration.ofSeconds(30)).until(() -> get(replicaPort, id).contains("\"version\":2"));
            }

            List<Long> seen = new ArrayList<>();
            try (WsClient first = new WsClient(portA)) {
                first.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
                seen.add(first.await(type("snapshot", id)).get("version").longValue());
                publish(progress(id, 3, JobStatus.RUNNING));
                seen.add(first.await(type("parent_job_progress", id)).get("version").longValue());
                replicaA.close(); // the replica goes away under its client
                assertThat(first.closeCode().get(30, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            }

            publish(progress(id, 4, JobStatus.RUNNING)); // while the client is away
            publish(progress(id, 5, JobStatus.RUNNING));
            await().atMost(Duration.ofSeconds(30)).until(() -> get(portB, id).contains("\"version\":5"));

            try (WsClient second = new WsClient(portB)) {
                second.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\",\"since_version\":" + seen.get(1) + "}");
                JsonNode resumed = second.await(type("snapshot", id));
                assertThat(resumed.has("up_to_date")).isFalse();
                seen.add(resumed.get("version").longValue());
                publish(progress(id, 6, JobStatus.COMPLETED));
                JsonNode last = second.await(m -> type("parent_job_progress", id).test(m)
                        && m.get("version").longValue() == 6);
                seen.add(last.get("version").longValue());
                assertThat(last.get("status").asString()).isEqualTo("completed");
                assertThat(second.messages("parent_job_progress", id)).hasSize(1);
            }
            assertThat(seen).containsExactly(2L, 3L, 5L, 6L);
        }
    }

    private static ConfigurableApplicationContext replica() {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .properties("server.port=0", "trawl.kafka.bootstrap-servers="
                        + EmbeddedBroker.shared().bootstrapServers()).run();
        await().atMost(Duration.ofSeconds(60)).until(context.getBean(ReadModelConsumer.class)::caughtUp);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    private static String get(int port, String id) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port
                + "/api/jobs/" + id)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}

package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static dev.trawl.gateway.LargeSnapshots.send;
import static dev.trawl.gateway.LargeSnapshots.withActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.gateway.live.JobStreamController;
import dev.trawl.gateway.tomcatinternals.ConnectionAbortValve;
import dev.trawl.testkit.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Container;
import org.apache.coyote.AbstractProtocol;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The gateway with both workarounds of Tomcat's internals switched off (the standard Servlet and WebSocket routes):
 * WebSocket clients and streams get every latest snapshot up to the terminal one, and a stream that stops reading
 * is still let go once a write to it outlasts the send time limit (its response ended the standard way).
 */
@Timeout(180)
@TestPropertySource(properties = {
        "trawl.gateway.ws.inline-send-completions=false",
        "trawl.gateway.stream.connection-abort-valve=false",
        "trawl.gateway.stream.send-time-limit=2s"})
class WithoutTomcatInternalsTest extends GatewayIntegrationTest {


    @Autowired
    ServletWebServerApplicationContext context;

    @Autowired
    JobStreamController streams;

    @Test
    void neitherWorkaroundIsInstalled() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        assertThat(((AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getExecutor())
                .as("Tomcat's own executor").isInstanceOf(ThreadPoolExecutor.class);
        Container[] contexts = server.getTomcat().getHost().findChildren();
        assertThat(contexts).singleElement().satisfies(c -> assertThat(c.getPipeline().getValves())
                .doesNotHaveAnyElementsOfTypes(ConnectionAbortValve.class));
    }

    @Test
    void aWebSocketClientGetsIncreasingVersionsEndingOnTheTerminalOne() {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            client.await(type("snapshot", id));
            for (long version = 1; version <= 20; version++) {
                publish(progress(id, version, version == 20 ? JobStatus.COMPLETED : JobStatus.RUNNING));
            }

            client.await(m -> type("parent_job_progress", id).test(m) && m.get("version").longValue() == 20);
            List<Long> versions = client.received().stream().filter(type("parent_job_progress", id))
                    .map(m -> m.get("version").longValue()).toList();
            assertThat(versions).isSorted().doesNotHaveDuplicates().last().isEqualTo(20L);
            client.send("{\"op\":\"ping\"}");
            client.await(m -> "pong".equals(m.path("type").asString()));
        }
    }

    @Test
    void aStalledStreamIsLetGoWhileAReadingOneGetsEverySnapshotUpToTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/jobs/" + id, "application/json").statusCode() == 200);
        long slowBefore = streams.slowStreamsClosed();
        try (KafkaProducer<String, ParentProgress> producer = LargeSnapshots.producer();
             StalledHttpStream stalled = new StalledHttpStream(port, "/api/jobs/" + id + "/events",
                     "text/event-stream")) {
            assertThat(stalled.head()).startsWith("HTTP/1.1 200");
            SseStream healthy = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), null);
            await().until(() -> healthy.lastVersion() == 1);

            // large snapshots until the gateway gives up on the stream that reads nothing
            long[] version = {1};
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                send(producer, withActivity(progress(id, ++version[0], JobStatus.RUNNING)));
                return streams.slowStreamsClosed() > slowBefore;
            });
            long terminal = ++version[0];
            send(producer, withActivity(progress(id, terminal, JobStatus.COMPLETED)));

            healthy.ended().get(20, TimeUnit.SECONDS);
            assertThat(healthy.lastVersion()).isEqualTo(terminal);
            assertThat(healthy.events()).extracting(e -> e.data().get("version").longValue()).isSorted();
        }
    }
}

package dev.trawl.gateway;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.live.LiveSocketHandler;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The limits of the live protocol, on a gateway with short heartbeat, idle and send limits: coalescing of bursts,
 * slow and silent clients, oversized frames, many subscribers.
 */
@Timeout(120)
@TestPropertySource(properties = {
        "trawl.gateway.ws.coalesce-interval=100ms",
        "trawl.gateway.ws.heartbeat-interval=200ms",
        "trawl.gateway.ws.idle-timeout=1500ms",
        "trawl.gateway.ws.send-time-limit=1s",
        "trawl.gateway.ws.max-text-message-size=4KB"})
class LiveLimitsTest extends GatewayIntegrationTest {

    @Autowired
    LiveSocketHandler handler;

    @Test
    void aBurstOfAHundredVersionsReachesAClientAsFewMessagesEndingOnTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            client.await(type("snapshot", id));

            try (KafkaProducer<String, ParentProgress> producer = burstProducer()) {
                for (long version = 1; version <= 100; version++) {
                    producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id,
                            progress(id, version, JobStatus.RUNNING)));
                }
                producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id,
                        progress(id, 101, JobStatus.COMPLETED))).get();
            }

            client.await(m -> type("parent_job_progress", id).test(m) && m.get("version").longValue() == 101);
            List<Long> versions = client.received().stream().filter(type("parent_job_progress", id))
                    .map(m -> m.get("version").longValue()).toList();
            assertThat(versions).isSorted().doesNotHaveDuplicates().last().isEqualTo(101L);
            assertThat(versions).hasSizeLessThan(50);
            // the last job message is the terminal snapshot (a heartbeat may still come after it)
            List<JsonNode> progress = client.messages("parent_job_progress", id);
            assertThat(progress.get(progress.size() - 1).get("status").asString()).isEqualTo("completed");
        }
    }

    /** The open connections once the previous tests' closed clients are gone on the server side too. */
    private int settledConnections() {
        int[] last = {-1};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
            int now = handler.connections();
            boolean settled = now == last[0];
            last[0] = now;
            return settled;
        });
        return last[0];
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedWhileOthersGetEveryLatestSnapshot() throws Exception {
        String id = Ids.newParentId();
        String bigName = "x".repeat(32 * 1024); // fills socket buffers in a few messages
        int before = settledConnections();
        try (RawWebSocket stalled = new RawWebSocket(port, 4096);
             WsClient healthy = new WsClient(port)) {
            stalled.sendText("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            healthy.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            healthy.await(type("snapshot", id));
            await().until(() -> handler.connections() == before + 2);

            AtomicLong version = new AtomicLong();
            try (KafkaProducer<String, ParentProgress> producer = burstProducer()) {
                // keep the job changing until the gateway gives up on the client that reads nothing
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id,
                            named(progress(id, version.incrementAndGet(), JobStatus.RUNNING), bigName))).get();
                    return handler.connections() == before + 1;
                });
                producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id,
                        named(progress(id, version.incrementAndGet(), JobStatus.COMPLETED), bigName))).get();
            }

            long last = version.get();
            healthy.await(m -> type("parent_job_progress", id).test(m) && m.get("version").longValue() == last);
            List<Long> versions = healthy.received().stream().filter(type("parent_job_progress", id))
                    .map(m -> m.get("version").longValue()).toList();
            assertThat(versions).isSorted().doesNotHaveDuplicates();
            assertThat(healthy.closeCode()).isNotDone();
        }
    }

    @Test
    void aSilentPeerGetsHeartbeatsAndIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawWebSocket silent = new RawWebSocket(port, 0)) {
            List<RawWebSocket.Frame> frames = new ArrayList<>();
            RawWebSocket.Frame frame;
            do {
                frame = silent.readFrame();
                frames.add(frame);
            } while (frame.opcode() != RawWebSocket.CLOSE);

            assertThat(frames).anyMatch(f -> f.opcode() == RawWebSocket.PING);
            assertThat(frames).anyMatch(f -> f.opcode() == RawWebSocket.TEXT && f.text().contains("\"heartbeat\""));
            assertThat(frame.closeCode()).isEqualTo(1001);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedPastTheIdleTimeout() throws Exception {
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            // 12 heartbeats at 200 ms: well past the 1.5 s idle timeout, kept alive by pongs alone
            await().atMost(Duration.ofSeconds(30)).until(() -> client.received().stream()
                    .filter(m -> "heartbeat".equals(m.path("type").asString())).count() >= 12);
            assertThat(client.closeCode()).isNotDone();

            publish(progress(id, 1, JobStatus.RUNNING));
            client.await(type("parent_job_progress", id));
            client.send("{\"op\":\"ping\"}");
            client.await(m -> "pong".equals(m.path("type").asString()));
        }
    }

    @Test
    void anOversizedFrameClosesTheConnectionWith1009() throws Exception {
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + "a".repeat(5000) + "\"}");

            assertThat(client.closeCode().get(20, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void manySubscribersEachGetIncreasingVersionsEndingOnTheTerminalOne() throws Exception {
        String id = Ids.newParentId();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                WsClient client = new WsClient(port);
                clients.add(client);
                client.send("{\"op\":\"subscribe\",\"job_id\":\"" + (i % 4 == 0 ? "*" : id) + "\"}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(client -> client.received()
                    .stream().anyMatch(m -> "snapshot".equals(m.path("type").asString()))));
            for (long version = 1; version <= 20; version++) {
                publish(progress(id, version, version == 20 ? JobStatus.COMPLETED : JobStatus.RUNNING));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(client -> client.received()
                    .stream().anyMatch(m -> type("parent_job_progress", id).test(m)
                            && m.get("version").longValue() == 20)));
            for (WsClient client : clients) {
                JsonNode last = client.await(m -> type("parent_job_progress", id).test(m)
                        && m.get("version").longValue() == 20);
                assertThat(last.get("status").asString()).isEqualTo("completed");
                assertThat(client.received().stream().filter(type("parent_job_progress", id))
                        .map(m -> m.get("version").longValue()).toList()).isSorted().doesNotHaveDuplicates();
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    private static ParentProgress named(ParentProgress p, String name) {
        return new ParentProgress(p.id(), name, p.status(), p.pending(), p.running(), p.completed(), p.failed(),
                p.cancelled(), p.total(), p.documentCount(), p.bytes(), p.progress(), p.etaSeconds(), p.progressText(),
                p.createdAt(), p.startedAt(), p.updatedAt(), p.finishedAt(), p.warning(), p.version());
    }

    private static KafkaProducer<String, ParentProgress> burstProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }
}

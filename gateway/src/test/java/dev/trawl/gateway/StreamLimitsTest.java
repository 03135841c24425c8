package dev.trawl.gateway;

import static dev.trawl.gateway.LargeSnapshots.send;
import static dev.trawl.gateway.LargeSnapshots.withActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.gateway.live.JobStreamController;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Flow control of the SSE and NDJSON streams, on a gateway with a short send time limit: a client that stops
 * reading delays no one else, and is disconnected once a write to it has been outstanding past the limit.
 */
@Timeout(240)
@TestPropertySource(properties = {"trawl.gateway.stream.send-time-limit=3s",
        "trawl.gateway.stream.heartbeat-interval=500ms"})
class StreamLimitsTest extends GatewayIntegrationTest {

    /** Large enough that a few snapshots fill the socket buffers of a client that reads nothing. */

    @Autowired
    JobStreamController streams;

    @Test
    void streamsThatStopReadingAreClosedWhileAWellBehavedClientGetsEverySnapshotUpToTheTerminalOne()
            throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/jobs/" + id, "application/json").statusCode() == 200);
        int before = streams.openStreams();
        // more stalled streams of each kind than the gateway has threads to push with
        int perKind = Math.max(2, Runtime.getRuntime().availableProcessors()) + 1;
        List<StalledHttpStream> stalled = new ArrayList<>();
        try (KafkaProducer<String, ParentProgress> producer = LargeSnapshots.producer()) {
            for (int i = 0; i < perKind; i++) {
                stalled.add(new StalledHttpStream(port, "/api/jobs/" + id + "/events", "text/event-stream"));
                stalled.add(new StalledHttpStream(port, "/api/jobs/" + id + "/stream", "application/x-ndjson"));
            }
            assertThat(stalled).allSatisfy(s -> assertThat(s.head()).startsWith("HTTP/1.1 200"));
            SseStream healthy = SseStream.open(HTTP, uri("/api/jobs/" + id + "/events"), null);
            await().until(() -> healthy.lastVersion() == 1);
            assertThat(streams.openStreams()).isEqualTo(before + stalled.size() + 1);

            // every large snapshot reaches the reading client before the next is written, stalled ones or not,
            // until the gateway has given up on every stream that reads nothing
            long[] version = {1};
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ZERO).until(() -> {
                long expected = ++version[0];
                send(producer, withActivity(progress(id, expected, JobStatus.RUNNING)));
                await().atMost(Duration.ofSeconds(20)).until(() -> healthy.lastVersion() >= expected);
                return streams.openStreams() == before + 1;
            });
            long terminal = ++version[0];
            send(producer, withActivity(progress(id, terminal, JobStatus.COMPLETED)));

            healthy.ended().get(20, TimeUnit.SECONDS);
            assertThat(healthy.lastVersion()).isEqualTo(terminal);
            assertThat(healthy.events().get(healthy.events().size() - 1).data().get("status").asString())
                    .isEqualTo("completed");
            for (StalledHttpStream client : stalled) {
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(streams.slowStreamsClosed()).isGreaterThanOrEqualTo(stalled.size());
        } finally {
            for (StalledHttpStream client : stalled) {
                client.close();
            }
        }
    }

    @Test
    void aQuietSseStreamGetsHeartbeatCommentsAndAnNdjsonStreamNothingButSnapshots() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/jobs/" + id, "application/json").statusCode() == 200);
        int before = streams.openStreams();
        try (Socket ndjson = request("/api/jobs/" + id + "/stream", "application/x-ndjson");
             Socket sse = request("/api/jobs/" + id + "/events", "text/event-stream")) {
            // the NDJSON stream is open at least as long as the SSE stream takes to get two heartbeats
            String sseText = readUntil(sse, text -> text.split(":heartbeat\n\n", -1).length - 1 >= 2);
            String ndjsonText = readUntil(ndjson, text -> text.contains("\"version\":1"));
            ndjson.setSoTimeout(200);
            ndjsonText += readWhatArrived(ndjson);

            assertThat(sseText).contains("event:snapshot");
            assertThat(ndjsonText).doesNotContain("heartbeat");
        }
        // the job ends, and with it both streams on the server side too: the other test counts open streams
        publish(progress(id, 2, JobStatus.COMPLETED));
        await().atMost(Duration.ofSeconds(20)).until(() -> streams.openStreams() == before);
    }

    private Socket request(String path, String accept) throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.setSoTimeout(20_000); // a stream that never gets there fails with a SocketTimeoutException
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: " + accept
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    /** What {@code socket} receives until the text so far (headers included) satisfies {@code done}. */
    private static String readUntil(Socket socket, Predicate<String> done) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!done.test(read.toString(StandardCharsets.UTF_8))) {
            int n = socket.getInputStream().read(buffer);
            if (n < 0) {
                throw new IOException("stream ended early: " + read.toString(StandardCharsets.UTF_8));
            }
            read.write(buffer, 0, n);
        }
        return read.toString(StandardCharsets.UTF_8);
    }

    /** What has already arrived on {@code socket}: reads until a read times out. */
    private static String readWhatArrived(Socket socket) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                read.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // all that arrived
        }
        return read.toString(StandardCharsets.UTF_8);
    }
}

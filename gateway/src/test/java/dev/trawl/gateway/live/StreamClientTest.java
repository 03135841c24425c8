package dev.trawl.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobTypes;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.gateway.api.JobSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** One SSE or NDJSON stream on a fake non-blocking output, with time moved by hand. */
class StreamClientTest {

    private static final long HEARTBEAT = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(50);

    private final FakeTicker ticker = new FakeTicker();
    private final ManualTimer timer = new ManualTimer(ticker);
    private final FakeOutput output = new FakeOutput();

    @Test
    void aQuietSseStreamGetsOneHeartbeatPerIntervalAndNoneWhileAWriteIsOutstanding() {
        StreamClient stream = open(StreamFormat.SSE, snapshot(1, JobStatus.RUNNING));
        assertThat(output.texts()).singleElement().asString().startsWith("id:1\nevent:snapshot\n");

        for (int sweep = 1; sweep < 10; sweep++) { // sweeps within the first interval
            ticker.advance(HEARTBEAT / 10 - 1);
            stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
            timer.runDue();
        }
        assertThat(output.texts()).hasSize(1);

        ticker.advance(HEARTBEAT);
        stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
        stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
        timer.runDue();
        assertThat(output.texts()).hasSize(2).last().isEqualTo(":heartbeat\n\n");

        output.ready = false; // the client stops reading: the heartbeat stays outstanding
        ticker.advance(HEARTBEAT);
        stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
        timer.runDue();
        ticker.advance(HEARTBEAT);
        stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
        timer.runDue();
        assertThat(output.texts()).hasSize(3);
        assertThat(stream.writingForNanos(ticker.nanos())).isEqualTo(HEARTBEAT);
    }

    @Test
    void anNdjsonStreamGetsNothingButSnapshots() {
        StreamClient stream = open(StreamFormat.NDJSON, snapshot(1, JobStatus.RUNNING));

        for (int i = 0; i < 5; i++) {
            ticker.advance(HEARTBEAT * 2);
            stream.heartbeatIfQuiet(ticker.nanos(), HEARTBEAT);
            timer.runDue();
        }

        assertThat(output.texts()).singleElement().asString().startsWith("{").endsWith("}\n");
    }

    @Test
    void theTerminalSnapshotIsTheLastWriteAndEndsTheResponseOnceTheClientTookIt() {
        StreamClient stream = open(StreamFormat.SSE, snapshot(1, JobStatus.RUNNING));
        output.ready = false;
        ticker.advance(INTERVAL);
        stream.offer(snapshot(2, JobStatus.RUNNING));
        timer.runDue();
        stream.offer(snapshot(3, JobStatus.COMPLETED));

        output.ready = true;
        stream.writable(); // the client took version 2; version 3 waits for the interval
        assertThat(output.completed).isZero();
        ticker.advance(INTERVAL);
        timer.runDue();

        assertThat(output.texts()).extracting(t -> t.substring(0, t.indexOf('\n')))
                .containsExactly("id:1", "id:2", "id:3");
        assertThat(output.texts()).last().asString().startsWith("id:3\nevent:parent_job_progress\n");
        assertThat(output.completed).isOne();
        assertThat(stream.isClosed()).isTrue();
        stream.offer(snapshot(4, JobStatus.RUNNING));
        timer.runDue();
        assertThat(output.writes).hasSize(3);
    }

    @Test
    void aResumedClientThatHoldsTheLatestVersionGetsAnUpToDateCommentThenProgressEvents() {
        StreamClient stream = new StreamClient("j", StreamFormat.SSE, timer, ticker, Duration.ofNanos(INTERVAL),
                new LongAdder());
        stream.start(output, Optional.of(snapshot(3, JobStatus.RUNNING)), 3L);
        output.start(stream);

        stream.offer(snapshot(4, JobStatus.RUNNING));
        timer.runDue();

        assertThat(output.texts()).containsExactly(":up to date\n\n",
                "id:4\nevent:parent_job_progress\ndata:" + LiveMessages.snapshotJson(snapshot(4, JobStatus.RUNNING))
                        + "\n\n");
    }

    @Test
    void theRemovalReplacesTheQueuedSnapshotAndEndsTheStream() {
        StreamClient stream = open(StreamFormat.NDJSON, snapshot(1, JobStatus.RUNNING));
        output.ready = false;
        ticker.advance(INTERVAL);
        stream.offer(snapshot(2, JobStatus.RUNNING));
        timer.runDue();
        stream.offer(snapshot(3, JobStatus.RUNNING));

        stream.onParentRemoved("j");
        stream.offer(snapshot(4, JobStatus.RUNNING));
        output.ready = true;
        stream.writable();
        timer.runDue();

        assertThat(output.texts()).hasSize(3).last().isEqualTo(LiveMessages.removed("j") + "\n");
        assertThat(output.texts().get(1)).contains("\"version\":2");
        assertThat(output.completed).isOne();
    }

    private StreamClient open(StreamFormat format, JobSnapshot current) {
        StreamClient stream = new StreamClient("j", format, timer, ticker, Duration.ofNanos(INTERVAL), new LongAdder());
        stream.start(output, Optional.of(current), null);
        output.start(stream);
        return stream;
    }

    private static JobSnapshot snapshot(long version, JobStatus status) {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        return new JobSnapshot("j", "job", status, 0, 0, version, 0, 0, version, 0, 0, 1.0, null,
                ProgressText.format(0, 0, version, 0), at, at, at.plusSeconds(version), null, null, version,
                JobTypes.CRAWL, null, 0, null, false);
    }

    /** A response that takes writes at once while {@code ready}, else holds them until {@link StreamClient#writable}. */
    private static final class FakeOutput implements StreamClient.Output {
        final List<byte[]> writes = new ArrayList<>();
        boolean ready = true;
        int completed;
        int aborted;

        void start(StreamClient stream) {
            stream.writable(); // the container's first call: the response can be written
        }

        @Override
        public boolean write(byte[] bytes) {
            writes.add(bytes);
            return ready;
        }

        @Override
        public boolean drained() {
            return ready;
        }

        @Override
        public void complete() {
            completed++;
        }

        @Override
        public void abort() {
            aborted++;
        }

        List<String> texts() {
            return writes.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }
}

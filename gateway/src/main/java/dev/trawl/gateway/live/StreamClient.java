package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One SSE or NDJSON stream of one job: a first snapshot, then coalesced newer ones, finished after the terminal
 * snapshot. The {@link Sink} knows the framing.
 */
final class StreamClient extends SnapshotOutbox {

    /** Writes a snapshot in the stream's framing, and ends the stream. */
    interface Sink {
        void send(JobSnapshot snapshot, boolean first) throws IOException;

        /** Called when the stream opens with nothing to send yet, so the client gets the response headers now. */
        default void openedEmpty() throws IOException {
        }

        void complete();

        void fail(Exception e);
    }

    private final String jobId;
    private final Sink sink;
    private Runnable onClose = () -> { };

    StreamClient(String jobId, Sink sink, ScheduledExecutorService scheduler, Duration interval) {
        super(scheduler, interval);
        this.jobId = jobId;
        this.sink = sink;
    }

    void onClose(Runnable action) {
        this.onClose = action;
    }

    /**
     * Sends the current snapshot unless the client already holds it (resuming from {@code lastVersion}); a stream
     * whose job already ended is finished at once.
     */
    void start(Optional<JobSnapshot> current, Long lastVersion) {
        sendExclusively(() -> {
            if (lastVersion != null) {
                markDelivered(jobId, lastVersion);
            }
            JobSnapshot snapshot = current.orElse(null);
            try {
                if (snapshot != null && snapshot.version() > deliveredVersion(jobId)) {
                    markDelivered(jobId, snapshot.version());
                    sink.send(snapshot, true);
                } else {
                    sink.openedEmpty();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            if (snapshot != null && snapshot.terminal()) {
                finish();
            }
        });
    }

    @Override
    protected boolean wants(String id) {
        return jobId.equals(id);
    }

    @Override
    protected void deliver(List<JobSnapshot> updates) throws IOException {
        for (JobSnapshot update : updates) {
            sink.send(update, false);
            if (update.terminal()) {
                finish();
                return;
            }
        }
    }

    @Override
    protected void onFailure(Exception e) {
        fail(e);
    }

    /** Ends the stream normally. */
    void finish() {
        close();
        sink.complete();
    }

    private void fail(Exception e) {
        close();
        sink.fail(e);
    }

    @Override
    public void close() {
        if (!isClosed()) {
            super.close();
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "stream:" + jobId;
    }
}

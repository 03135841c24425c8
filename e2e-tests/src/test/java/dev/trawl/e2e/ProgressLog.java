package dev.trawl.e2e;

import static org.awaitility.Awaitility.await;

import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import tools.jackson.databind.JsonNode;

/**
 * Every parent snapshot the aggregator publishes on {@code trawl.parent-progress} from now on, each with the
 * {@link System#nanoTime()} at which this JVM received it. Unlike a WebSocket client, which the gateway may skip
 * versions for (latest wins), it sees every version; and it reads the JSON as published, so fields the gateway
 * does not show (yet), such as {@code queued} and {@code stopping}, are there to check. A field an older
 * aggregator does not write reads as 0 / false.
 */
final class ProgressLog implements AutoCloseable {

    /** One published snapshot and when this JVM received it. */
    record Seen(JsonNode json, long receivedNanos) {

        String status() {
            return json.path("status").asString();
        }

        boolean terminal() {
            return List.of("completed", "completed_with_failures", "failed", "cancelled").contains(status());
        }

        long get(String field) {
            return json.path(field).asLong(0);
        }

        boolean stopping() {
            return json.path("stopping").asBoolean(false);
        }

        /** Children handed to a worker and not finished: pending that the scheduler does not hold back, plus running. */
        long inFlight() {
            return inFlight(json);
        }

        static long inFlight(JsonNode snapshot) {
            return snapshot.path("pending").asLong(0) - snapshot.path("queued").asLong(0)
                    + snapshot.path("running").asLong(0);
        }

        String counts() {
            return "v" + get("version") + " " + status() + (stopping() ? " (stopping)" : "") + ": pending "
                    + get("pending") + " (queued " + get("queued") + "), running " + get("running") + ", completed "
                    + get("completed") + ", failed " + get("failed") + ", cancelled " + get("cancelled") + ", total "
                    + get("total") + ", documents " + get("document_count");
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecordSeen> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private record ConsumerRecordSeen(String key, Seen seen) {
    }

    private ProgressLog(String bootstrap) {
        consumer = TopicReader.fromNow(bootstrap, Topics.PARENT_PROGRESS.name());
        thread = new Thread(this::run, "e2e-progress-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts recording what is published after this call returns. */
    static ProgressLog start(String bootstrap) {
        return new ProgressLog(bootstrap);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    long now = System.nanoTime();
                    if (r.key() != null && r.value() != null) {
                        seen.add(new ConsumerRecordSeen(new String(r.key(), StandardCharsets.UTF_8),
                                new Seen(Json.MAPPER.readTree(r.value()), now)));
                    }
                }
            }
        } catch (WakeupException stopped) {
            // close() asked
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The snapshots of {@code jobId} received so far, in publishing order. */
    List<Seen> of(String jobId) {
        return seen.stream().filter(s -> s.key().equals(jobId)).map(ConsumerRecordSeen::seen).toList();
    }

    Optional<Seen> firstTerminal(String jobId) {
        return of(jobId).stream().filter(Seen::terminal).findFirst();
    }

    /** Waits for the job's first terminal snapshot. */
    Seen awaitTerminal(String jobId, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> firstTerminal(jobId).isPresent());
        return firstTerminal(jobId).orElseThrow();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What breaks a rule among one job's snapshots in publishing order: in flight over {@code window}, queued outside
     * pending, counts that do not add up to the total, a version that does not increase, a terminal snapshot before
     * the last. At most 20, then how many more.
     */
    static List<String> ruleBreaches(List<ProgressLog.Seen> snapshots, long window) {
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < snapshots.size(); i++) {
            ProgressLog.Seen s = snapshots.get(i);
            if (s.inFlight() > window) {
                broken.add("over the window: " + s.counts());
            }
            if (s.get("queued") > s.get("pending") || s.get("queued") < 0) {
                broken.add("queued outside pending: " + s.counts());
            }
            if (s.get("pending") + s.get("running") + s.get("completed") + s.get("failed") + s.get("cancelled")
                    != s.get("total")) {
                broken.add("counts do not add up: " + s.counts());
            }
            if (i > 0 && s.get("version") <= snapshots.get(i - 1).get("version")) {
                broken.add("version not increasing: " + s.counts());
            }
            if (s.terminal() && i < snapshots.size() - 1) {
                broken.add("terminal before the end: " + s.counts());
            }
        }
        if (broken.size() > 20) {
            int all = broken.size();
            broken = new ArrayList<>(broken.subList(0, 20));
            broken.add("... " + (all - 20) + " more");
        }
        return broken;
    }

    static long maxInFlight(List<ProgressLog.Seen> snapshots) {
        return snapshots.stream().mapToLong(ProgressLog.Seen::inFlight).max().orElse(0);
    }

    static long maxQueued(List<ProgressLog.Seen> snapshots) {
        return snapshots.stream().mapToLong(s -> s.get("queued")).max().orElse(0);
    }
}

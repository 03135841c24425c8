package dev.trawl.bench.pipeline;

import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * What the pipeline wrote for some jobs, read after the crawl from {@code trawl.job-events} and
 * {@code trawl.parent-progress} ({@code read_committed}, as the aggregator and the gateway read them), with the
 * records' timestamps, which the producers set when they sent them:
 * <ul>
 *   <li>per job, the timestamps of its children's first terminal {@code child_status_changed} events in offset
 *       order. The aggregator folds a job's events in that order (one partition), so a snapshot that counts F
 *       finished children counts exactly the first F of these;</li>
 *   <li>per job, the timestamp of each snapshot record by version.</li>
 * </ul>
 * Read afterwards rather than live, so that the measurement takes no CPU from the crawl it measures.
 */
final class EventLog {

    private final Map<String, List<Long>> terminalEvents = new HashMap<>();
    private final Map<String, Map<Long, Long>> snapshots = new HashMap<>();
    /** Per job: its cancel_requested event's timestamp, and its first snapshot showing {@code stopping}. */
    private final Map<String, Long> cancelRequested = new HashMap<>();
    private final Map<String, Long> firstStopping = new HashMap<>();

    private EventLog() {
    }

    static EventLog read(String bootstrap, Set<String> jobIds) {
        EventLog log = new EventLog();
        Map<String, Set<String>> finishedChildren = new HashMap<>();
        for (String id : jobIds) {
            log.terminalEvents.put(id, new ArrayList<>());
            log.snapshots.put(id, new HashMap<>());
            finishedChildren.put(id, new HashSet<>());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(bootstrap, Topics.JOB_EVENTS.name(),
                Topics.PARENT_PROGRESS.name())) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (!caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || r.value() == null) {
                        continue;
                    }
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (!jobIds.contains(key)) {
                        continue;
                    }
                    JsonNode value = Json.MAPPER.readTree(r.value());
                    if (r.topic().equals(Topics.PARENT_PROGRESS.name())) {
                        log.snapshots.get(key).put(value.path("version").asLong(), r.timestamp());
                        if (value.path("stopping").asBoolean(false)) {
                            log.firstStopping.merge(key, r.timestamp(), Math::min);
                        }
                    } else if ("cancel_requested".equals(value.path("type").asString())) {
                        log.cancelRequested.putIfAbsent(key, r.timestamp());
                    } else if ("child_status_changed".equals(value.path("type").asString())
                            && isTerminal(value.path("status").asString())
                            && finishedChildren.get(key).add(value.path("child_id").asString())) {
                        log.terminalEvents.get(key).add(r.timestamp());
                    }
                }
            }
        }
        return log;
    }

    /** Record timestamps (epoch ms) of the job's first terminal event per child, in the order they were folded. */
    List<Long> terminalEvents(String jobId) {
        return terminalEvents.get(jobId);
    }

    /** Record timestamp (epoch ms) of each of the job's snapshot records, by version. */
    Map<Long, Long> snapshotRecords(String jobId) {
        return snapshots.get(jobId);
    }

    /** The job's cancel_requested record timestamp (epoch ms), null when none. */
    Long cancelRequested(String jobId) {
        return cancelRequested.get(jobId);
    }

    /** The record timestamp of the job's first snapshot with {@code stopping} set, null when none. */
    Long firstStopping(String jobId) {
        return firstStopping.get(jobId);
    }

    private static boolean isTerminal(String status) {
        return "completed".equals(status) || "failed".equals(status) || "cancelled".equals(status);
    }

    /** Whether {@code consumer} has read every partition up to {@code end}. */
    static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}

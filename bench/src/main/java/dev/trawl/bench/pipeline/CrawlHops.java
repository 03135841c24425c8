package dev.trawl.bench.pipeline;

import dev.trawl.api.serde.Json;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * Where a crawl's children spent their time, from the record timestamps the producers set (read after the crawl):
 * the aggregator's dispatch (the task record) → the worker's {@code running} event (sent when its poll returned the
 * task: the task's wait for the aggregator's commit and the worker's next poll) → the child's terminal event (sent
 * when the worker commits it: fetch, conversion and the wait for the commit) → the next dispatch of the crawl (for
 * each task record, the time since the crawl's latest terminal event before it: the aggregator's fold, its
 * dispatch and its commit). A small crawl alone and beside a big one, compared hop by hop, says which stage a big
 * crawl slows it in.
 */
final class CrawlHops {

    private CrawlHops() {
    }

    static String of(String bootstrap, String jobId) {
        Map<String, Long> dispatched = new HashMap<>();
        Map<String, Long> running = new HashMap<>();
        Map<String, Long> ended = new HashMap<>();
        List<Long> tasks = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.fromStart(bootstrap, Topics.CRAWL_TASKS.name(),
                Topics.JOB_EVENTS.name())) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (!EventLog.caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    boolean task = r.topic().equals(Topics.CRAWL_TASKS.name());
                    if (!task && (r.key() == null || !jobId.equals(new String(r.key(), StandardCharsets.UTF_8)))) {
                        continue;
                    }
                    JsonNode value = Json.MAPPER.readTree(r.value());
                    if (!jobId.equals(value.path("parent_id").asString())) {
                        continue;
                    }
                    String child = value.path("child_id").asString();
                    if (task) {
                        dispatched.putIfAbsent(child, r.timestamp());
                        tasks.add(r.timestamp());
                    } else if ("child_status_changed".equals(value.path("type").asString())) {
                        String status = value.path("status").asString();
                        if ("running".equals(status)) {
                            running.putIfAbsent(child, r.timestamp());
                        } else if (!"pending".equals(status)) {
                            ended.merge(child, r.timestamp(), Math::min);
                        }
                    }
                }
            }
        }
        List<Double> toRunning = new ArrayList<>();
        List<Double> toEnd = new ArrayList<>();
        dispatched.forEach((child, at) -> {
            Long run = running.get(child);
            Long done = ended.get(child);
            if (run != null) {
                toRunning.add((double) (run - at));
                if (done != null) {
                    toEnd.add((double) (done - run));
                }
            }
        });
        TreeSet<Long> ends = new TreeSet<>(ended.values());
        List<Double> toDispatch = new ArrayList<>();
        for (long at : tasks) {
            Long before = ends.floor(at);
            if (before != null) {
                toDispatch.add((double) (at - before));
            }
        }
        return String.format("%d tasks; dispatch → running p50 %.0f / p90 %.0f ms; running → terminal p50 %.0f / "
                        + "p90 %.0f ms; latest terminal → dispatch p50 %.0f / p90 %.0f ms", dispatched.size(),
                Stats.percentile(toRunning, 50), Stats.percentile(toRunning, 90), Stats.percentile(toEnd, 50),
                Stats.percentile(toEnd, 90), Stats.percentile(toDispatch, 50), Stats.percentile(toDispatch, 90));
    }
}

package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.TopicBootstrap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Reads child records back from {@code trawl.child-progress} at the positions a {@link ChildIndex} holds: every
 * partition concerned is assigned at once, seeked to its lowest offset wanted and read forward in offset order,
 * seeking ahead again only over a long stretch of other jobs' records, and paused once its last offset is passed.
 * Compaction removes a record only once a newer one with the same key exists, and the index then points at the
 * newer one (the argument of {@link MarkdownStore}); a record that is gone anyway (a race with compaction) is left
 * out. One consumer, used by one request at a time.
 */
@Component
public class ChildRecordReader implements DisposableBean {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Offsets ahead of the position beyond which a seek is cheaper than reading through (about one fetch). */
    private static final long SEEK_AHEAD = 2_000;

    private final KafkaConsumer<String, byte[]> consumer;

    public ChildRecordReader(TopicBootstrap topics) {
        // a fetch left waiting for new data holds up the next request's fetch: keep the wait short
        consumer = PositionedReads.consumer(topics, "trawl-gateway-children-",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10));
    }

    /**
     * The children of {@code parentId} recorded at {@code positions} (see {@link ChildIndex#position}).
     *
     * @throws TimeoutException when the topic does not deliver them in time (the caller answers 503)
     */
    public synchronized List<ChildProgress> read(String parentId, long[] positions) {
        Map<TopicPartition, Cursor> cursors = cursors(positions);
        List<ChildProgress> children = new ArrayList<>(positions.length);
        consumer.assign(cursors.keySet());
        try {
            cursors.forEach((tp, cursor) -> consumer.seek(tp, cursor.wanted()));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!cursors.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading the children of " + parentId + " back from "
                            + cursors.keySet() + " took over " + READ_TIMEOUT);
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (TopicPartition tp : records.partitions()) {
                    Cursor cursor = cursors.get(tp);
                    for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                        if (cursor != null && cursor.passTo(record.offset())) {
                            ChildProgress child = Topics.CHILD_PROGRESS.valueSerde().deserializer()
                                    .deserialize(record.topic(), record.value());
                            if (child != null && parentId.equals(child.parentId())) {
                                children.add(child);
                            }
                        }
                    }
                }
                for (Iterator<Map.Entry<TopicPartition, Cursor>> it = cursors.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<TopicPartition, Cursor> entry = it.next();
                    long position = consumer.position(entry.getKey());
                    Cursor cursor = entry.getValue();
                    cursor.passTo(position - 1); // offsets passed without a record were compacted away
                    if (cursor.done()) {
                        consumer.pause(List.of(entry.getKey()));
                        it.remove();
                    } else if (cursor.wanted() > position + SEEK_AHEAD) {
                        consumer.seek(entry.getKey(), cursor.wanted());
                    }
                }
            }
        } finally {
            consumer.assign(List.of());
        }
        return children;
    }

    private static Map<TopicPartition, Cursor> cursors(long[] positions) {
        long[] sorted = positions.clone();
        Arrays.sort(sorted); // by partition, then offset
        Map<TopicPartition, Cursor> cursors = new HashMap<>();
        int from = 0;
        while (from < sorted.length) {
            int partition = ChildIndex.partition(sorted[from]);
            int to = from;
            while (to < sorted.length && ChildIndex.partition(sorted[to]) == partition) {
                to++;
            }
            long[] offsets = new long[to - from];
            for (int i = from; i < to; i++) {
                offsets[i - from] = ChildIndex.offset(sorted[i]);
            }
            cursors.put(new TopicPartition(Topics.CHILD_PROGRESS.name(), partition), new Cursor(offsets));
            from = to;
        }
        return cursors;
    }

    /** The offsets wanted from one partition, ascending, and how far reading has passed them. */
    private static final class Cursor {
        private final long[] offsets;
        private int next;

        Cursor(long[] offsets) {
            this.offsets = offsets;
        }

        long wanted() {
            return offsets[next];
        }

        boolean done() {
            return next == offsets.length;
        }

        /** Passes every wanted offset up to {@code offset}; true when {@code offset} itself was wanted. */
        boolean passTo(long offset) {
            while (next < offsets.length && offsets[next] < offset) {
                next++;
            }
            if (next < offsets.length && offsets[next] == offset) {
                next++;
                return true;
            }
            return false;
        }
    }

    @Override
    public synchronized void destroy() {
        consumer.close(Duration.ofSeconds(5));
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * One polled batch of crawl task records: per partition, every record's offset in order and how far the reported
 * prefix runs; and the records still to work on, decoded (records the {@link OffsetLedger} knows as reported are
 * skipped).
 */
final class TaskBatch {

    /** One task record, decoded or not, and what became of it. */
    static final class Item {
        final ConsumerRecord<byte[], byte[]> record;
        final String key;
        /** Null when the record is unreadable. */
        final CrawlTask task;
        final String unreadable;
        TaskContext context;
        /** Set by the fetch thread before the item is handed back to the loop. */
        TaskOutcome outcome;
        long finishedAtNanos;

        private Item(ConsumerRecord<byte[], byte[]> record, String key, CrawlTask task, String unreadable) {
            this.record = record;
            this.key = key;
            this.task = task;
            this.unreadable = unreadable;
        }

        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    /** A partition's records in the batch: their offsets in order, the first {@code prefix} of them reported. */
    static final class PartitionRecords {
        final long[] offsets;
        int prefix;

        private PartitionRecords(long[] offsets, int prefix) {
            this.offsets = offsets;
            this.prefix = prefix;
        }
    }

    private final Map<TopicPartition, PartitionRecords> partitions = new HashMap<>();
    private final List<Item> todo = new ArrayList<>();

    private TaskBatch() {
    }

    static TaskBatch of(ConsumerRecords<byte[], byte[]> records, OffsetLedger ledger) {
        TaskBatch batch = new TaskBatch();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(partition);
            long[] offsets = new long[polled.size()];
            int prefix = 0;
            for (int i = 0; i < polled.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = polled.get(i);
                offsets[i] = record.offset();
                if (ledger.isReported(partition, record.offset())) {
                    if (prefix == i) {
                        prefix++;
                    }
                } else {
                    batch.todo.add(decode(record));
                }
            }
            batch.partitions.put(partition, new PartitionRecords(offsets, prefix));
        }
        return batch;
    }

    /** The records to work on, in partition and offset order. */
    List<Item> todo() {
        return todo;
    }

    PartitionRecords partition(TopicPartition partition) {
        return partitions.get(partition);
    }

    /**
     * Where each partition with records not reported (deferred, or left out of the offset metadata) is to be
     * consumed again from: offsets commit a prefix, so the first of them and everything after it come back (the
     * ones reported meanwhile are skipped then).
     */
    Map<TopicPartition, Long> rewindTargets() {
        Map<TopicPartition, Long> targets = new HashMap<>();
        partitions.forEach((partition, records) -> {
            if (records.prefix < records.offsets.length) {
                targets.put(partition, records.offsets[records.prefix]);
            }
        });
        return targets;
    }

    private static Item decode(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        try {
            CrawlTask task = Topics.CRAWL_TASKS.valueSerde().deserializer().deserialize(record.topic(),
                    record.value());
            if (task == null || task.parentId() == null || task.childId() == null || task.url() == null) {
                return new Item(record, key, null, "crawl task without parent_id, child_id or url");
            }
            return new Item(record, key, task, null);
        } catch (RuntimeException e) {
            return new Item(record, key, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.topic.DeadLetters;
import dev.trawl.worker.CrawlMetrics;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import dev.trawl.worker.WorkerActivity;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports finished tasks in Kafka transactions on one transactional producer: per task its host delay (when
 * news), links, document and terminal status, or a dead letter for an unreadable record, together with its
 * partition's consumer offset and the {@link OffsetLedger}'s metadata (reported offsets beyond it, the delay a next
 * owner must wait). The ledger changes only once a transaction committed.
 */
final class OutcomeTransactions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutcomeTransactions.class);

    private final WorkerSettings settings;
    private final OffsetLedger ledger;
    private final CancelledParents cancelledParents;
    private final ToLongFunction<TopicPartition> delayKeptMs;
    private final WorkerActivity activity;
    private final HostDelayReports hostDelays = new HostDelayReports(10_000);
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param delayKeptMs per partition, the politeness delay a next owner must wait after taking it over
     * @param activity    told of each committed outcome and of the producers opened and closed
     */
    OutcomeTransactions(WorkerSettings settings, OffsetLedger ledger, CancelledParents cancelledParents,
                        ToLongFunction<TopicPartition> delayKeptMs, WorkerActivity activity) {
        this.settings = settings;
        this.ledger = ledger;
        this.cancelledParents = cancelledParents;
        this.delayKeptMs = delayKeptMs;
        this.activity = activity;
        this.producer = newProducer();
    }

    /**
     * One transaction: the outcomes of {@code ready} (in offset order per partition) with their partitions'
     * offsets. What the offset metadata cannot hold stays in {@code ready}.
     *
     * @return whether anything was committed
     * @throws KafkaException when the transaction failed; {@link #abort()} then
     */
    boolean commit(TaskBatch batch, List<TaskBatch.Item> ready, ConsumerGroupMetadata group) {
        ready.sort(Comparator.comparingInt((TaskBatch.Item item) -> item.record.partition())
                .thenComparingLong(item -> item.record.offset()));
        Map<TopicPartition, List<Long>> finished = new HashMap<>();
        for (TaskBatch.Item item : ready) {
            finished.computeIfAbsent(item.partition(), p -> new ArrayList<>()).add(item.record.offset());
        }
        Map<TopicPartition, OffsetLedger.Staged> staged = new HashMap<>();
        finished.forEach((partition, offsets) -> {
            TaskBatch.PartitionRecords records = batch.partition(partition);
            OffsetLedger.Staged stage = ledger.stage(partition, records.offsets, records.prefix, offsets,
                    delayKeptMs.applyAsLong(partition));
            if (!stage.included().isEmpty()) {
                staged.put(partition, stage);
            }
        });
        List<TaskBatch.Item> committing = new ArrayList<>();
        for (TaskBatch.Item item : ready) {
            OffsetLedger.Staged stage = staged.get(item.partition());
            if (stage != null && stage.included().contains(item.record.offset())) {
                committing.add(item);
            }
        }
        if (committing.isEmpty()) {
            return false;
        }
        long start = CrawlMetrics.threadCpuNanos();
        producer.beginTransaction();
        for (TaskBatch.Item item : committing) {
            records(item).forEach(producer::send);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        staged.forEach((partition, stage) -> offsets.put(partition, stage.offset()));
        producer.sendOffsetsToTransaction(offsets, group);
        producer.commitTransaction();
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
        activity.transactionCommitted();
        for (TaskBatch.Item item : committing) {
            activity.reported(item.outcome);
        }
        staged.forEach((partition, stage) -> {
            ledger.apply(partition, stage);
            batch.partition(partition).prefix = stage.prefix();
        });
        ready.removeAll(committing);
        return true;
    }

    /** Aborts the open transaction, or replaces a producer that cannot abort (e.g. once fenced). */
    void abort() {
        hostDelays.clear(); // what an aborted transaction reported was not reported
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException abortFailed) {
            log.warn("cannot abort ({}); starting a new transactional producer", abortFailed.toString());
            activity.clientClosed(producer);
            producer.close(Duration.ZERO);
            producer = newProducer();
        }
    }

    /** What reports one finished item. */
    private List<ProducerRecord<byte[], byte[]>> records(TaskBatch.Item item) {
        if (item.unreadable != null) {
            ConsumerRecord<byte[], byte[]> record = item.record;
            return List.of(DeadLetters.record(record.key(), record.value(), record.headers(), item.unreadable,
                    record.topic(), record.partition(), record.offset(), "crawler-worker"));
        }
        if (item.outcome instanceof TaskOutcome.Cancelled && cancelledParents.hasEnded(item.task.parentId())) {
            return List.of(); // nothing waits for the child of a parent that ended
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(4);
        TaskContext.HostDelay delay = item.context == null ? null : item.context.hostDelay();
        if (delay != null && !(item.outcome instanceof TaskOutcome.Cancelled)
                && hostDelays.isNews(item.task.parentId(), delay.host(), delay.delayMs())) {
            out.add(TaskRecords.hostDelay(item.task, delay));
        }
        out.addAll(TaskRecords.finished(item.task, item.outcome));
        return out;
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(WorkerClients.transactionalProducer(settings),
                new ByteArraySerializer(), new ByteArraySerializer());
        created.initTransactions();
        activity.producerOpened(created);
        return created;
    }

    @Override
    public void close() {
        activity.clientClosed(producer);
        producer.close(Duration.ofSeconds(5));
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.CrawlMetrics;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once consume-process-produce loop over {@code trawl.crawl-tasks}. For each polled batch:
 * <ol>
 *   <li>the tasks are reported {@code running} (advisory events, outside any transaction);</li>
 *   <li>the tasks are crawled concurrently, outside any transaction;</li>
 *   <li>while they run, what has finished is committed at least every {@code commit-interval}: one transaction
 *       writes, per finished task, its host delay (when news), links, document and terminal status (or a dead
 *       letter for an unreadable record) together with its partition's consumer offset. Offsets commit a prefix;
 *       a task finished behind an unfinished one is listed in the offset's metadata ({@link OffsetLedger}) and
 *       skipped when its partition is consumed again, here or by another instance.</li>
 * </ol>
 * A task is thus either fully reported with its offset, or not at all and consumed again: a worker killed at any
 * point loses no page and reports none twice; a redelivered task produces the same deterministic event ids,
 * which the aggregator ignores. Tasks a batch could not start in time are left uncommitted and their partition is
 * rewound to them. A slow page holds back the next poll, but no other page's outcome.
 *
 * <p>Nothing is in flight while {@code poll} runs (a batch ends before the next poll), so a rebalance never sees
 * half-done work, and a partition's previous owner made its last request before the partition moved: the
 * rebalance listener only reloads what the group committed and tells the processor which partitions are new here.
 */
public final class TransactionalTaskLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TransactionalTaskLoop.class);
    private static final Duration NO_PROGRESS_PAUSE = Duration.ofMillis(100);

    private final WorkerSettings settings;
    private final TaskProcessor processor;
    private final ExecutorService fetchPool;
    private final CancelledParents cancelledParents;
    private final OffsetLedger ledger = new OffsetLedger();
    private final HostDelayReports hostDelays = new HostDelayReports(10_000);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    /** Not transactional: only for the advisory running events. */
    private KafkaProducer<byte[], byte[]> statusProducer;
    private volatile boolean stopping;
    /**
     * Tasks this instance already reported running; a deferred task polled again is not reported twice. Only an
     * optimisation: duplicates are harmless (same event id), so a small bounded memory is enough.
     */
    private final Set<String> markedRunning = Collections.newSetFromMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    });

    /** One task record of a batch, decoded or not, and what became of it. */
    private static final class Item {
        final ConsumerRecord<byte[], byte[]> record;
        final String key;
        final CrawlTask task;
        final String unreadable;
        TaskContext context;
        /** Set by the fetch thread before the item is handed back through the batch's queue. */
        TaskOutcome outcome;
        long finishedAtNanos;

        Item(ConsumerRecord<byte[], byte[]> record, String key, CrawlTask task, String unreadable) {
            this.record = record;
            this.key = key;
            this.task = task;
            this.unreadable = unreadable;
        }

        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    /** A batch's records of one partition: their offsets in order, the first {@code prefix} of them reported. */
    private static final class PartitionBatch {
        final long[] offsets;
        int prefix;

        PartitionBatch(long[] offsets, int prefix) {
            this.offsets = offsets;
            this.prefix = prefix;
        }
    }

    public TransactionalTaskLoop(WorkerSettings settings, TaskProcessor processor, ExecutorService fetchPool,
                                 CancelledParents cancelledParents) {
        this.settings = settings;
        this.processor = processor;
        this.fetchPool = fetchPool;
        this.cancelledParents = cancelledParents;
    }

    /** Asks the loop to finish its current batch and stop; safe from any thread. */
    public void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    @Override
    public void run() {
        consumer = new KafkaConsumer<>(consumerProperties(settings), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        try {
            producer = newProducer();
            statusProducer = new KafkaProducer<>(statusProducerProperties(settings), new ByteArraySerializer(),
                    new ByteArraySerializer());
            consumer.subscribe(List.of(Topics.CRAWL_TASKS.name()), new OwnershipListener());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                if (!records.isEmpty()) {
                    processBatch(records);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } finally {
            closeQuietly();
        }
    }

    private void processBatch(ConsumerRecords<byte[], byte[]> records) {
        long latestStart = System.nanoTime() + settings.maxBatchDuration().toNanos();
        AtomicBoolean givenUp = new AtomicBoolean();
        BlockingQueue<Item> finished = new LinkedBlockingQueue<>();
        int[] inFlight = {0};
        try {
            loadLedger(records.partitions());
            Map<TopicPartition, PartitionBatch> batch = new HashMap<>();
            List<Item> todo = decode(records, batch);
            markRunning(todo);
            List<Item> ready = new ArrayList<>();
            for (Item item : todo) {
                if (item.task == null || cancelledParents.isCancelled(item.task.parentId())) {
                    item.outcome = item.task == null ? null : new TaskOutcome.Cancelled(
                            TaskOutcome.Cancelled.BEFORE_START);
                    item.finishedAtNanos = System.nanoTime();
                    ready.add(item);
                } else {
                    item.context = new TaskContext(item.key, item.record.partition(), latestStart,
                            () -> stopping || givenUp.get(), () -> cancelledParents.isCancelled(item.task.parentId()));
                    fetchPool.execute(() -> runTask(item, finished));
                    inFlight[0]++;
                }
            }
            boolean committed = commitAsTheyFinish(batch, ready, finished, inFlight);
            boolean rewound = rewind(batch);
            if (rewound && !committed && !stopping) {
                // every task waits for a politeness slot beyond this batch: do not spin on them
                Thread.sleep(NO_PROGRESS_PAUSE.toMillis());
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("batch transaction failed, consuming the rest of the batch again: {}", e.toString());
            giveUp(givenUp, finished, inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            recover();
        } catch (RuntimeException e) {
            // e.g. a producer in an unusable state: never skip the batch, start it over
            log.error("batch failed, consuming the rest of it again", e);
            giveUp(givenUp, finished, inFlight);
        }
    }

    private void runTask(Item item, BlockingQueue<Item> finished) {
        try {
            item.outcome = processor.process(item.task, item.context);
        } catch (InterruptedException e) {
            item.outcome = new TaskOutcome.Deferred();
        } catch (RuntimeException | Error e) {
            // a bug, not the page's fault; failing the child beats redelivering it forever
            log.error("crawling {} failed unexpectedly", item.task.url(), e);
            item.outcome = new TaskOutcome.Failed("internal error: " + e.getClass().getSimpleName(),
                    ReasonClass.ERROR, null);
        } finally {
            item.finishedAtNanos = System.nanoTime();
            finished.add(item);
        }
    }

    /**
     * Waits for the batch's tasks, committing what finished whenever the oldest uncommitted outcome is
     * {@code commit-interval} old, and once more when the last task is in (so a batch that ends sooner commits
     * once).
     *
     * @return whether anything was committed
     */
    private boolean commitAsTheyFinish(Map<TopicPartition, PartitionBatch> batch, List<Item> ready,
                                       BlockingQueue<Item> finished, int[] inFlight) throws InterruptedException {
        long interval = settings.commitInterval().toNanos();
        boolean committed = false;
        int waiting = 0; // outcomes a full offset metadata could not take: they wait for the prefix to move
        while (inFlight[0] > 0 || !ready.isEmpty()) {
            long oldest = Long.MAX_VALUE;
            for (Item item : ready) {
                oldest = Math.min(oldest, item.finishedAtNanos);
            }
            boolean fresh = ready.size() > waiting;
            long wait = fresh ? oldest + interval - System.nanoTime() : Long.MAX_VALUE;
            if (!ready.isEmpty() && (inFlight[0] == 0 || wait <= 0)) {
                committed |= commit(batch, ready);
                if (inFlight[0] == 0) {
                    ready.clear(); // still left out: consumed again, like a deferred task
                }
                waiting = ready.size();
                continue;
            }
            Item done = wait == Long.MAX_VALUE ? finished.take() : finished.poll(wait, TimeUnit.NANOSECONDS);
            while (done != null) {
                inFlight[0]--;
                if (!(done.outcome instanceof TaskOutcome.Deferred)) {
                    ready.add(done);
                }
                done = finished.poll();
            }
        }
        return committed;
    }

    /**
     * One transaction: the outcomes of {@code ready} (in offset order per partition) with their partitions'
     * offsets. What the offset metadata cannot hold stays in {@code ready}.
     *
     * @return whether anything was committed
     */
    private boolean commit(Map<TopicPartition, PartitionBatch> batch, List<Item> ready) {
        ready.sort(Comparator.comparingInt((Item item) -> item.record.partition())
                .thenComparingLong(item -> item.record.offset()));
        Map<TopicPartition, List<Long>> finishedOffsets = new HashMap<>();
        for (Item item : ready) {
            finishedOffsets.computeIfAbsent(item.partition(), p -> new ArrayList<>()).add(item.record.offset());
        }
        Map<TopicPartition, OffsetLedger.Staged> staged = new HashMap<>();
        for (Map.Entry<TopicPartition, List<Long>> entry : finishedOffsets.entrySet()) {
            PartitionBatch partition = batch.get(entry.getKey());
            OffsetLedger.Staged stage = ledger.stage(entry.getKey(), partition.offsets, partition.prefix,
                    entry.getValue());
            if (!stage.included().isEmpty()) {
                staged.put(entry.getKey(), stage);
            }
        }
        List<Item> committing = new ArrayList<>();
        for (Item item : ready) {
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
        for (Item item : committing) {
            records(item).forEach(producer::send);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        staged.forEach((partition, stage) -> offsets.put(partition, stage.offset()));
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
        staged.forEach((partition, stage) -> {
            ledger.apply(partition, stage);
            batch.get(partition).prefix = stage.prefix();
        });
        ready.removeAll(committing);
        return true;
    }

    /** What reports one finished item. */
    private List<ProducerRecord<byte[], byte[]>> records(Item item) {
        if (item.unreadable != null) {
            return List.of(deadLetter(item));
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

    /** Seeks each partition with unreported records back to the first of them. @return whether any was */
    private boolean rewind(Map<TopicPartition, PartitionBatch> batch) {
        boolean rewound = false;
        for (Map.Entry<TopicPartition, PartitionBatch> entry : batch.entrySet()) {
            PartitionBatch partition = entry.getValue();
            if (partition.prefix < partition.offsets.length) {
                // offsets commit a prefix: this task and everything after it in the partition come back, and the
                // ones reported meanwhile are skipped then
                consumer.seek(entry.getKey(), partition.offsets[partition.prefix]);
                rewound = true;
            }
        }
        return rewound;
    }

    /** After a failed transaction: lets the tasks still running end (not started ones defer), then starts over. */
    private void giveUp(AtomicBoolean givenUp, BlockingQueue<Item> finished, int[] inFlight) {
        givenUp.set(true);
        try {
            while (inFlight[0] > 0) {
                finished.take();
                inFlight[0]--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
        recover();
    }

    /** Reads the committed offsets (and so the reported offsets beyond them) of partitions not known yet. */
    private void loadLedger(Set<TopicPartition> partitions) {
        Set<TopicPartition> missing = new HashSet<>();
        for (TopicPartition partition : partitions) {
            if (!ledger.isLoaded(partition)) {
                missing.add(partition);
            }
        }
        if (!missing.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(missing);
            missing.forEach(partition -> ledger.load(partition, committed.get(partition)));
        }
    }

    /** The batch's records per partition in offset order; returns those to work on (not reported already). */
    private List<Item> decode(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, PartitionBatch> batch) {
        List<Item> todo = new ArrayList<>();
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
                    todo.add(decode(record));
                }
            }
            batch.put(partition, new PartitionBatch(offsets, prefix));
        }
        return todo;
    }

    private Item decode(ConsumerRecord<byte[], byte[]> record) {
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

    /**
     * Reports the batch's tasks running, outside any transaction (on an idempotent producer of its own): a
     * transaction per batch just for these costs a round of broker commits, and they need none. A running
     * event is advisory — the aggregator ignores one that arrives after the child ended, and one from a batch
     * that is later redone is simply repeated.
     */
    private void markRunning(List<Item> items) {
        long start = CrawlMetrics.threadCpuNanos();
        for (Item item : items) {
            if (item.task != null && !cancelledParents.isCancelled(item.task.parentId())
                    && markedRunning.add(item.task.childId() + "#" + item.task.attempt())) {
                statusProducer.send(TaskRecords.running(item.task));
            }
        }
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(Item item) {
        ConsumerRecord<byte[], byte[]> record = item.record;
        return DeadLetters.record(record.key(), record.value(), record.headers(), item.unreadable, record.topic(),
                record.partition(), record.offset(), "crawler-worker");
    }

    /**
     * Aborts the open transaction (or replaces a producer that cannot abort, e.g. once fenced) and rewinds every
     * assigned partition to its committed offset, so what the batch did not commit is consumed again.
     */
    private void recover() {
        markedRunning.clear(); // a batch consumed again reports its tasks running again
        hostDelays.clear(); // what the aborted transaction reported was not reported
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException abortFailed) {
            log.warn("cannot abort ({}); starting a new transactional producer", abortFailed.toString());
            producer.close(Duration.ZERO);
            producer = newProducer();
        }
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        ledger.clear();
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            ledger.load(partition, offset);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset);
            }
        }
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(producerProperties(settings),
                new ByteArraySerializer(), new ByteArraySerializer());
        created.initTransactions();
        return created;
    }

    private void closeQuietly() {
        try {
            if (statusProducer != null) {
                statusProducer.close(Duration.ofSeconds(5));
            }
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    static Properties consumerProperties(WorkerSettings settings) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "trawl-worker-" + settings.instanceId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchSize());
        // new tasks arrive in the aggregator's transactions; a long fetch wait would hold them back (latency)
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) settings.maxPollInterval().toMillis());
        // a replica that dies is replaced within 10 s instead of the 45 s default
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(settings.kafkaOverrides());
        return props;
    }

    static Properties statusProducerProperties(WorkerSettings settings) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "trawl-worker-status-" + settings.instanceId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(settings.kafkaOverrides());
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return props;
    }

    static Properties producerProperties(WorkerSettings settings) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "trawl-worker-" + settings.instanceId());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trawl-worker-" + settings.instanceId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Markdown compresses several-fold; the commit flushes anyway, so a short linger only fills batches
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // transactions here stay open for milliseconds (crawling happens outside them); a worker killed with one
        // open blocks read_committed readers of its partitions until this timeout aborts it, so keep it short
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        props.putAll(settings.kafkaOverrides());
        return props;
    }

    /**
     * Keeps the ledger to the partitions owned, and tells the processor which partitions are new here. With the
     * eager protocol every rebalance revokes all partitions and assigns the new set; one assigned back in the same
     * rebalance was nobody else's meanwhile, so it is not new. A lost partition may have been another's.
     */
    private final class OwnershipListener implements ConsumerRebalanceListener {

        private final Set<TopicPartition> justRevoked = new HashSet<>();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to flush: batches are committed (or aborted) before the next poll
            log.debug("revoked {}", partitions);
            ledger.forget(partitions);
            justRevoked.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.debug("lost {}", partitions);
            ledger.forget(partitions);
            justRevoked.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.debug("assigned {}", partitions);
            // the committed offsets are read when the partition's first records arrive (outside this callback)
            ledger.forget(partitions);
            List<Integer> acquired = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                if (!justRevoked.contains(partition)) {
                    acquired.add(partition.partition());
                }
            }
            justRevoked.clear();
            if (!acquired.isEmpty()) {
                processor.partitionsAcquired(acquired);
            }
        }
    }
}

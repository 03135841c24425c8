package dev.trawl.worker.delivery;

import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.CrawlMetrics;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import dev.trawl.worker.WorkerActivity;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 *       letter for an unreadable record) together with its partition's consumer offset
 *       ({@link OutcomeTransactions}). Offsets commit a prefix; a task finished behind an unfinished one is listed
 *       in the offset's metadata ({@link OffsetLedger}) and skipped when its partition is consumed again, here or
 *       by another instance.</li>
 * </ol>
 * A task is thus either fully reported with its offset, or not at all and consumed again: a worker killed at any
 * point loses no page and reports none twice; a redelivered task produces the same deterministic event ids,
 * which the aggregator ignores. Tasks a batch could not start in time are left uncommitted and their partition is
 * rewound to them. A slow page holds back the next poll, but no other page's outcome.
 *
 * <p>Nothing is in flight while {@code poll} runs (a batch ends before the next poll), so a rebalance never sees
 * half-done work, and a partition's previous owner made its last request before the partition moved: the
 * rebalance listener only tells the processor which partitions are new here; their committed offsets (reported
 * offsets beyond the prefix, the delay the previous owner kept) are read before their first task runs.
 *
 * <p><b>Why not spring-kafka's listener container.</b> The container's exactly-once route (a
 * {@code KafkaTransactionManager} on the container) opens one transaction around the listener's whole batch and
 * sends the batch's offsets when the listener returns: every finished page of a batch would wait for its slowest
 * page, which is the staleness the time-bounded commits removed (issue 13). The commits here are several per batch,
 * each carrying only what finished, with offsets beyond the prefix recorded in the offset metadata
 * ({@link OffsetLedger}); neither is a container feature (its out-of-order acks wait for the gaps to fill).
 * Running the container without transactions and committing from inside the listener would leave it the poll loop
 * and the rebalance callback only, with its own commits switched off: the same code as here, plus the knowledge of
 * which container features are off. docs/crawler.md ("Delivery") has the longer account.
 *
 * <p>Over 300 lines: the loop, its commits and its rebalance listener share the one invariant (nothing in flight
 * while {@code poll} runs); the transactions themselves live in {@link OutcomeTransactions}, the batch bookkeeping in
 * {@link TaskBatch} and the offsets beyond the prefix in {@link OffsetLedger}.
 */
public final class TransactionalTaskLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TransactionalTaskLoop.class);
    private static final Duration NO_PROGRESS_PAUSE = Duration.ofMillis(100);

    private final WorkerSettings settings;
    private final TaskProcessor processor;
    private final ExecutorService fetchPool;
    private final CancelledParents cancelledParents;
    private final WorkerActivity activity;
    private final OffsetLedger ledger = new OffsetLedger();
    /** Partitions acquired whose committed metadata (with the previous owner's delay) was not read yet. */
    private final Set<TopicPartition> acquiredUnread = new HashSet<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private OutcomeTransactions transactions;
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

    /** The tasks of a batch on the fetch threads: handed back through {@code finished} as they end. */
    private static final class InFlight {
        final BlockingQueue<TaskBatch.Item> finished = new LinkedBlockingQueue<>();
        final AtomicBoolean givenUp = new AtomicBoolean();
        int count;
    }

    public TransactionalTaskLoop(WorkerSettings settings, TaskProcessor processor, ExecutorService fetchPool,
                                 CancelledParents cancelledParents, WorkerActivity activity) {
        this.settings = settings;
        this.processor = processor;
        this.fetchPool = fetchPool;
        this.cancelledParents = cancelledParents;
        this.activity = activity;
    }

    /** How long the group coordinator waits for the consumer's heartbeats before it evicts it. */
    public static Duration sessionTimeout(WorkerSettings settings) {
        return Duration.ofMillis(Long.parseLong(String.valueOf(WorkerClients.consumer(settings)
                .get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))));
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
        consumer = new KafkaConsumer<>(WorkerClients.consumer(settings), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        activity.consumerOpened(consumer);
        try {
            transactions = new OutcomeTransactions(settings, ledger, cancelledParents,
                    partition -> processor.delayKept(partition.partition()).toMillis(), activity);
            statusProducer = new KafkaProducer<>(WorkerClients.statusProducer(settings), new ByteArraySerializer(),
                    new ByteArraySerializer());
            activity.producerOpened(statusProducer);
            consumer.subscribe(List.of(Topics.CRAWL_TASKS.name()), new OwnershipListener());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                activity.polled();
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
        InFlight inFlight = new InFlight();
        try {
            loadLedger(records.partitions());
            TaskBatch batch = TaskBatch.of(records, ledger);
            markRunning(batch.todo());
            List<TaskBatch.Item> ready = new ArrayList<>();
            for (TaskBatch.Item item : batch.todo()) {
                if (item.task == null || cancelledParents.isCancelled(item.task.parentId())) {
                    item.outcome = item.task == null ? null
                            : new TaskOutcome.Cancelled(TaskOutcome.Cancelled.BEFORE_START);
                    item.finishedAtNanos = System.nanoTime();
                    ready.add(item);
                } else {
                    item.context = new TaskContext(item.key, item.record.partition(), latestStart,
                            () -> stopping || inFlight.givenUp.get(),
                            () -> cancelledParents.isCancelled(item.task.parentId()));
                    fetchPool.execute(() -> runTask(item, inFlight.finished));
                    inFlight.count++;
                }
            }
            boolean committed = commitAsTheyFinish(batch, ready, inFlight);
            Map<TopicPartition, Long> rewind = batch.rewindTargets();
            rewind.forEach(consumer::seek);
            if (!rewind.isEmpty() && !committed && !stopping) {
                // every task waits for a politeness slot beyond this batch: do not spin on them
                Thread.sleep(NO_PROGRESS_PAUSE.toMillis());
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("batch transaction failed, consuming the rest of the batch again: {}", e.toString());
            activity.transactionFailed(e);
            giveUp(inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            recover();
        } catch (RuntimeException e) {
            // e.g. a producer in an unusable state: never skip the batch, start it over
            log.error("batch failed, consuming the rest of it again", e);
            activity.transactionFailed(e);
            giveUp(inFlight);
        }
    }

    private void runTask(TaskBatch.Item item, BlockingQueue<TaskBatch.Item> finished) {
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
    private boolean commitAsTheyFinish(TaskBatch batch, List<TaskBatch.Item> ready, InFlight inFlight)
            throws InterruptedException {
        long interval = settings.commitInterval().toNanos();
        boolean committed = false;
        int waiting = 0; // outcomes a full offset metadata could not take: they wait for the prefix to move
        while (inFlight.count > 0 || !ready.isEmpty()) {
            long oldest = Long.MAX_VALUE;
            for (TaskBatch.Item item : ready) {
                oldest = Math.min(oldest, item.finishedAtNanos);
            }
            long wait = ready.size() > waiting ? oldest + interval - System.nanoTime() : Long.MAX_VALUE;
            if (!ready.isEmpty() && (inFlight.count == 0 || wait <= 0)) {
                committed |= transactions.commit(batch, ready, consumer.groupMetadata());
                if (inFlight.count == 0) {
                    ready.clear(); // still left out: consumed again, like a deferred task
                }
                waiting = ready.size();
                continue;
            }
            TaskBatch.Item done = wait == Long.MAX_VALUE ? inFlight.finished.take()
                    : inFlight.finished.poll(wait, TimeUnit.NANOSECONDS);
            while (done != null) {
                inFlight.count--;
                if (!(done.outcome instanceof TaskOutcome.Deferred)) {
                    ready.add(done);
                }
                done = inFlight.finished.poll();
            }
        }
        return committed;
    }

    /** After a failed transaction: lets the tasks still running end (not started ones defer), then starts over. */
    private void giveUp(InFlight inFlight) {
        inFlight.givenUp.set(true);
        try {
            while (inFlight.count > 0) {
                inFlight.finished.take();
                inFlight.count--;
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
            missing.forEach(partition -> load(partition, committed.get(partition)));
        }
    }

    private void load(TopicPartition partition, OffsetAndMetadata committed) {
        long previousOwnerDelayMs = ledger.load(partition, committed);
        if (acquiredUnread.remove(partition) && previousOwnerDelayMs > 0) {
            processor.previousOwnerDelay(partition.partition(), Duration.ofMillis(previousOwnerDelayMs));
        }
    }

    /**
     * Reports the batch's tasks running, outside any transaction (on an idempotent producer of its own): a
     * transaction per batch just for these costs a round of broker commits, and they need none. A running
     * event is advisory — the aggregator ignores one that arrives after the child ended, and one from a batch
     * that is later redone is simply repeated.
     */
    private void markRunning(List<TaskBatch.Item> items) {
        long start = CrawlMetrics.threadCpuNanos();
        for (TaskBatch.Item item : items) {
            if (item.task != null && !cancelledParents.isCancelled(item.task.parentId())
                    && markedRunning.add(item.task.childId() + "#" + item.task.attempt())) {
                statusProducer.send(TaskRecords.running(item.task));
            }
        }
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
    }

    /**
     * Aborts the open transaction and rewinds every assigned partition to its committed offset (reloading the
     * reported offsets beyond it), so what the batch did not commit is consumed again.
     */
    private void recover() {
        markedRunning.clear(); // a batch consumed again reports its tasks running again
        transactions.abort();
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        ledger.clear();
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            load(partition, offset);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset);
            }
        }
    }

    private void closeQuietly() {
        try {
            if (statusProducer != null) {
                activity.clientClosed(statusProducer);
                statusProducer.close(Duration.ofSeconds(5));
            }
            if (transactions != null) {
                transactions.close();
            }
        } finally {
            activity.clientClosed(consumer);
            consumer.close(Duration.ofSeconds(5));
        }
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
            release("revoked", partitions);
            justRevoked.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release("lost", partitions);
            justRevoked.removeAll(partitions);
        }

        private void release(String how, Collection<TopicPartition> partitions) {
            log.debug("{} {}", how, partitions);
            ledger.forget(partitions);
            acquiredUnread.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.debug("assigned {}", partitions);
            activity.joined();
            // the committed offsets are read when the partition's first records arrive (outside this callback),
            // before any of its tasks runs
            ledger.forget(partitions);
            List<Integer> acquired = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                if (!justRevoked.contains(partition)) {
                    acquired.add(partition.partition());
                    acquiredUnread.add(partition);
                }
            }
            justRevoked.clear();
            if (!acquired.isEmpty()) {
                processor.partitionsAcquired(acquired);
            }
        }
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.CrawlMetrics;
import dev.trawl.worker.TaskOutcome;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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
 *   <li>one transaction marks every task {@code running} (so dashboards see work start);</li>
 *   <li>the tasks are crawled concurrently, outside any transaction;</li>
 *   <li>one transaction writes, per task in offset order, its links, document and terminal status (or a dead
 *       letter for an unreadable record) together with the batch's consumer offsets.</li>
 * </ol>
 * A task is thus either fully reported with its offset, or not at all and consumed again: a worker killed at any
 * point loses no page; a redelivered task produces the same deterministic event ids, which the aggregator
 * ignores. Tasks a batch could not start in time are left uncommitted and the partition is rewound to them.
 *
 * <p>Nothing is in flight while {@code poll} runs, so a rebalance never sees half-done work and the rebalance
 * listener has nothing to flush.
 */
public final class TransactionalTaskLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TransactionalTaskLoop.class);
    private static final Duration NO_PROGRESS_PAUSE = Duration.ofMillis(100);

    private final WorkerSettings settings;
    private final TaskProcessor processor;
    private final ExecutorService fetchPool;
    private final CancelledParents cancelledParents;
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

    /** One task record of a batch, decoded or not. */
    private record Item(ConsumerRecord<byte[], byte[]> record, String key, CrawlTask task, String unreadable) {
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
            consumer.subscribe(List.of(Topics.CRAWL_TASKS.name()), new LoggingRebalanceListener());
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
        Map<TopicPartition, List<Item>> batch = decode(records);
        try {
            markRunning(batch.values());
            Map<Item, Future<TaskOutcome>> work = new IdentityHashMap<>();
            for (List<Item> items : batch.values()) {
                for (Item item : items) {
                    if (item.task() != null && !cancelledParents.isCancelled(item.task().parentId())) {
                        work.put(item, fetchPool.submit(() -> processor.process(item.task(), item.key(), latestStart,
                                () -> stopping)));
                    }
                }
            }
            Map<Item, TaskOutcome> outcomes = collect(work);
            if (!commitResults(batch, outcomes) && !stopping) {
                // every task waits for a politeness slot beyond this batch: do not spin on them
                Thread.sleep(NO_PROGRESS_PAUSE.toMillis());
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("batch transaction failed, consuming the batch again: {}", e.toString());
            recover();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            recover();
        } catch (RuntimeException e) {
            // e.g. a producer in an unusable state: never skip the batch, start it over
            log.error("batch failed, consuming it again", e);
            recover();
        }
    }

    private Map<TopicPartition, List<Item>> decode(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, List<Item>> batch = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<Item> items = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                items.add(decode(record));
            }
            batch.put(partition, items);
        }
        return batch;
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
    private void markRunning(Collection<List<Item>> batch) {
        long start = CrawlMetrics.threadCpuNanos();
        for (List<Item> items : batch) {
            for (Item item : items) {
                if (item.task() != null && !cancelledParents.isCancelled(item.task().parentId())
                        && markedRunning.add(item.task().childId() + "#" + item.task().attempt())) {
                    statusProducer.send(TaskRecords.running(item.task()));
                }
            }
        }
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
    }

    private Map<Item, TaskOutcome> collect(Map<Item, Future<TaskOutcome>> work) throws InterruptedException {
        Map<Item, TaskOutcome> outcomes = new IdentityHashMap<>();
        for (Map.Entry<Item, Future<TaskOutcome>> entry : work.entrySet()) {
            try {
                outcomes.put(entry.getKey(), entry.getValue().get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof InterruptedException) {
                    outcomes.put(entry.getKey(), new TaskOutcome.Deferred());
                } else {
                    // a bug, not the page's fault; failing the child beats redelivering it forever
                    log.error("crawling {} failed unexpectedly", entry.getKey().task().url(), e.getCause());
                    outcomes.put(entry.getKey(), new TaskOutcome.Failed("internal error: "
                            + e.getCause().getClass().getSimpleName(), ReasonClass.ERROR, null));
                }
            }
        }
        return outcomes;
    }

    /** @return whether any task was committed */
    private boolean commitResults(Map<TopicPartition, List<Item>> batch, Map<Item, TaskOutcome> outcomes) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> rewind = new HashMap<>();
        long start = CrawlMetrics.threadCpuNanos();
        producer.beginTransaction();
        for (Map.Entry<TopicPartition, List<Item>> partition : batch.entrySet()) {
            for (Item item : partition.getValue()) {
                TaskOutcome outcome = outcomes.get(item);
                if (outcome instanceof TaskOutcome.Deferred) {
                    // offsets commit a prefix: this task and everything after it in the partition come back
                    rewind.put(partition.getKey(), item.record().offset());
                    break;
                }
                if (item.unreadable() != null) {
                    producer.send(deadLetter(item));
                } else if (outcome != null) {
                    TaskRecords.finished(item.task(), outcome).forEach(producer::send);
                }
                offsets.put(partition.getKey(), new OffsetAndMetadata(item.record().offset() + 1));
            }
        }
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        }
        producer.commitTransaction();
        CrawlMetrics.add(CrawlMetrics.Phase.PRODUCE, start);
        rewind.forEach(consumer::seek);
        return !offsets.isEmpty();
    }

    private ProducerRecord<byte[], byte[]> deadLetter(Item item) {
        ConsumerRecord<byte[], byte[]> record = item.record();
        return DeadLetters.record(record.key(), record.value(), record.headers(), item.unreadable(), record.topic(),
                record.partition(), record.offset(), "crawler-worker");
    }

    /**
     * Aborts the open transaction (or replaces a producer that cannot abort, e.g. once fenced) and rewinds every
     * assigned partition to its committed offset, so the batch is consumed again from scratch.
     */
    private void recover() {
        markedRunning.clear(); // a batch consumed again reports its tasks running again
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException abortFailed) {
            log.warn("cannot abort ({}); starting a new transactional producer", abortFailed.toString());
            producer.close(Duration.ZERO);
            producer = newProducer();
        }
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
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

    private static final class LoggingRebalanceListener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to flush: batches are committed (or aborted) before the next poll
            log.debug("revoked {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.debug("assigned {}", partitions);
        }
    }
}

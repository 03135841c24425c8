package dev.trawl.worker.delivery;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CancelledParents} read from the compacted {@code trawl.parent-progress} topic. A parent whose latest
 * snapshot is {@code stopping} (a cancel or {@code stop_all} was accepted; its running children are finishing) or
 * terminal (cancelled, failed, finished) has nothing left to start, so its queued tasks are not fetched. A
 * background consumer reads every partition from the beginning ({@code assign}, no group) and keeps only those
 * parents, at most {@code capacity} of them (oldest forgotten first: forgetting one only costs a wasted fetch whose
 * events the aggregator ignores).
 *
 * <p>The aggregator publishes the stopping snapshot within tens of milliseconds of folding the cancel, and this
 * reader waits at most {@value #FETCH_MAX_WAIT_MS} ms for a fetch, so the check right before a task's first request
 * sees a cancel a fraction of a second after it was accepted.
 *
 * <p>A task skipped while its parent is stopping is reported {@code cancelled} ("cancelled before start"): the
 * aggregator may count its child as pending or running (a task redelivered after a worker crash was reported running
 * once), and ends it then. Once the parent ended, its children are all terminal and the aggregator may have dropped
 * them: a skipped task then produces no events at all.
 */
public final class TerminalParents implements CancelledParents, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TerminalParents.class);

    static final int FETCH_MAX_WAIT_MS = 25;

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Parent id to whether it ended (true) or is stopping (false). */
    private final Map<String, Boolean> stopped;
    private final Thread thread;
    private volatile boolean stopping;

    public TerminalParents(String bootstrapServers, String clientId, int capacity) {
        this(bootstrapServers, Map.of(), clientId, capacity);
    }

    /** @param clientProperties any other client setting (security, for instance), applied after the reader's own */
    public TerminalParents(String bootstrapServers, Map<String, ?> clientProperties, String clientId, int capacity) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a cancel must bite before the next task starts: do not let the broker sit on a new snapshot
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        props.putAll(clientProperties);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.stopped = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
        this.thread = new Thread(this::run, clientId);
        this.thread.setDaemon(true);
    }

    public TerminalParents start() {
        thread.start();
        return this;
    }

    @Override
    public boolean isCancelled(String parentId) {
        synchronized (stopped) {
            return stopped.containsKey(parentId);
        }
    }

    @Override
    public boolean hasEnded(String parentId) {
        synchronized (stopped) {
            return Boolean.TRUE.equals(stopped.get(parentId));
        }
    }

    private void run() {
        try {
            String topic = Topics.PARENT_PROGRESS.name();
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                log.error("terminal-parent reader woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            // the worker still crawls correctly without this read model, only wastes fetches on dead parents
            log.error("terminal-parent reader stopped; tasks of cancelled parents will be crawled", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: the parent is gone, and so are its tasks
        }
        ParentProgress progress;
        try {
            progress = Topics.PARENT_PROGRESS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            // a read model, not a processing step: an unreadable snapshot only means its parent is not skipped
            log.warn("unreadable parent snapshot at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
            return;
        }
        if (progress == null || progress.id() == null) {
            return;
        }
        boolean ended = progress.status() != null && progress.status().isTerminal();
        synchronized (stopped) {
            if (ended || progress.stopping()) {
                stopped.put(progress.id(), ended);
            } else {
                stopped.remove(progress.id()); // runs (again): the latest snapshot is what counts
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

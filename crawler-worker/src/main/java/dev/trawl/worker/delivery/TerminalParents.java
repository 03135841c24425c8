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
 * {@link CancelledParents} read from the compacted {@code trawl.parent-progress} topic: a parent whose snapshot is
 * terminal (cancelled, failed by {@code stop_all}, or finished) has nothing left to crawl, so its queued tasks are
 * skipped. A background consumer reads every partition from the beginning ({@code assign}, no group), and keeps
 * only the ids of terminal parents, at most {@code capacity} of them (oldest forgotten first: forgetting one only
 * costs a wasted fetch whose events the aggregator ignores).
 *
 * <p>Only terminal parents are skipped, not parents with a cancel in progress: a parent still has running
 * children then, and a task redelivered after a worker crash must still run, or its child would stay running.
 */
public final class TerminalParents implements CancelledParents, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TerminalParents.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Boolean> terminal;
    private final Thread thread;
    private volatile boolean stopping;

    public TerminalParents(String bootstrapServers, String clientId, int capacity) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.terminal = new LinkedHashMap<>(1024, 0.75f, false) {
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
        synchronized (terminal) {
            return terminal.containsKey(parentId);
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
        if (progress != null && progress.status() != null && progress.status().isTerminal()) {
            synchronized (terminal) {
                terminal.put(progress.id(), Boolean.TRUE);
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

package dev.trawl.worker.delivery;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.topic.Topics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AssignmentCommitOption;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.TopicPartitionOffset.SeekPosition;

/**
 * {@link CancelledParents} read from the compacted {@code trawl.parent-progress} topic. A parent whose latest
 * snapshot is {@code stopping} (a cancel or {@code stop_all} was accepted; its running children are finishing) or
 * terminal (cancelled, failed, finished) has nothing left to start, so its queued tasks are not fetched. A
 * spring-kafka listener container reads every partition from the beginning (assigned, no group, nothing committed)
 * and keeps only those parents, at most {@code capacity} of them (oldest forgotten first: forgetting one only costs
 * a wasted fetch whose events the aggregator ignores). The container also keeps the view going through a broker's
 * absence: it retries the poll, where a hand-written loop that stopped on an error left the worker crawling
 * cancelled parents' tasks until its restart.
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
    private static final long POLL_TIMEOUT_MS = 500;

    private final DefaultKafkaConsumerFactory<byte[], byte[]> consumerFactory;
    private final String clientId;
    /** Parent id to whether it ended (true) or is stopping (false). */
    private final Map<String, Boolean> stopped;
    private KafkaMessageListenerContainer<byte[], byte[]> container;

    public TerminalParents(String bootstrapServers, String clientId, int capacity) {
        this(bootstrapServers, Map.of(), clientId, capacity);
    }

    /** @param clientProperties any other client setting (security, for instance), applied after the reader's own */
    public TerminalParents(String bootstrapServers, Map<String, ?> clientProperties, String clientId, int capacity) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a cancel must bite before the next task starts: do not let the broker sit on a new snapshot
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        props.putAll(clientProperties);
        this.consumerFactory = new DefaultKafkaConsumerFactory<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.clientId = clientId;
        this.stopped = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Starts reading; the topic's partitions are looked up now, so the topic must exist. */
    public synchronized TerminalParents start() {
        String topic = Topics.PARENT_PROGRESS.name();
        TopicPartitionOffset[] fromTheBeginning;
        try (Consumer<byte[], byte[]> lookup = consumerFactory.createConsumer(null, clientId, "-lookup")) {
            fromTheBeginning = lookup.partitionsFor(topic).stream()
                    .map(p -> new TopicPartitionOffset(topic, p.partition(), SeekPosition.BEGINNING))
                    .toArray(TopicPartitionOffset[]::new);
        }
        ContainerProperties properties = new ContainerProperties(fromTheBeginning);
        properties.setClientId(clientId);
        properties.setMessageListener((MessageListener<byte[], byte[]>) this::apply);
        properties.setAssignmentCommitOption(AssignmentCommitOption.NEVER);
        properties.setPollTimeout(POLL_TIMEOUT_MS);
        SimpleAsyncTaskExecutor consumerThread = new SimpleAsyncTaskExecutor(clientId + "-");
        consumerThread.setDaemon(true); // a view: it never holds the JVM up
        properties.setListenerTaskExecutor(consumerThread);
        container = new KafkaMessageListenerContainer<>(consumerFactory, properties);
        container.setBeanName(clientId);
        container.start();
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
    public synchronized void close() {
        if (container != null) {
            container.stop(); // wakes the consumer and waits for its thread (the container's shutdown timeout)
        }
    }
}

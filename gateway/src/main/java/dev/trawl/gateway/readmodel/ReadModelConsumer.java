package dev.trawl.gateway.readmodel;

import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AssignmentCommitOption;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.TopicPartitionOffset.SeekPosition;
import org.springframework.stereotype.Component;

/**
 * Feeds the {@link ReadModel} from {@code trawl.parent-progress}, {@code trawl.child-progress} and
 * {@code trawl.documents} with a spring-kafka listener container: every partition assigned from the beginning
 * (no consumer group, nothing committed: each gateway replica holds the whole view and a restarted one rebuilds
 * it), one batch listener on the container's single consumer thread, so the read model keeps one writer.
 *
 * <p>Values are decoded here rather than by the consumer's deserializer so that one unreadable record is logged,
 * counted and skipped without a round trip through an error handler; the gateway does not own these topics, so it
 * has no business dead-lettering their records.
 *
 * <p>The view is "caught up" once every partition has reached the end offset it had when the container started:
 * checked after every batch, and when the container is idle (its idle event comes after an empty poll, as often
 * as the poll timeout, so a tail of aborted transactions the listener never sees is noticed too). Children of
 * finished jobs are evicted at the same two points. The poll timeout is as short as the hand-written loop's was;
 * it bounds only how long a quiet container waits, records are handed over as soon as a fetch returns them.
 *
 * <p>Meters: {@code trawl.gateway.readmodel.records} tagged {@code result} (applied, unreadable),
 * {@code trawl.gateway.readmodel.caught.up} (1 once caught up), and the consumer's own metrics (its lag:
 * {@code kafka.consumer.fetch.manager.records.lag.max}, bound by the consumer factory).
 */
@Component
public class ReadModelConsumer implements SmartLifecycle, MeterBinder {

    /** The container's name, and its consumer thread's. */
    static final String CONTAINER_NAME = "trawl-gateway-readmodel";

    private static final Logger log = LoggerFactory.getLogger(ReadModelConsumer.class);
    private static final List<Topic<String, ?>> SOURCES =
            List.of(Topics.PARENT_PROGRESS, Topics.CHILD_PROGRESS, Topics.DOCUMENTS);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final ReadModel readModel;
    private final ConsumerFactory<String, byte[]> consumerFactory;
    private final AtomicLong unreadableRecords = new AtomicLong();
    private final AtomicLong recordsApplied = new AtomicLong();
    /** End offsets at start not yet reached; touched by the consumer thread only once the container runs. */
    private Map<TopicPartition, Long> catchUpTargets = Map.of();
    private volatile boolean caughtUp;
    private volatile KafkaMessageListenerContainer<String, byte[]> container;
    private volatile Thread consumerThread;

    public ReadModelConsumer(ReadModel readModel, ConsumerFactory<String, byte[]> readModelConsumerFactory) {
        this.readModel = readModel;
        this.consumerFactory = readModelConsumerFactory;
    }

    /** True once the view holds everything the topics held when the gateway started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public long unreadableRecords() {
        return unreadableRecords.get();
    }

    public long recordsApplied() {
        return recordsApplied.get();
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        FunctionCounter.builder("trawl.gateway.readmodel.records", recordsApplied, AtomicLong::get)
                .description("Records of the compacted topics read into the read model").tag("result", "applied")
                .register(meters);
        FunctionCounter.builder("trawl.gateway.readmodel.records", unreadableRecords, AtomicLong::get)
                .description("Records of the compacted topics read into the read model").tag("result", "unreadable")
                .register(meters);
        Gauge.builder("trawl.gateway.readmodel.caught.up", this, c -> c.caughtUp ? 1 : 0)
                .description("1 once the read model holds what the topics held when the gateway started")
                .register(meters);
    }

    @Override
    public synchronized void start() {
        List<TopicPartitionOffset> fromTheBeginning = new ArrayList<>();
        // the container needs its partitions up front; the end offsets now are what "caught up" means
        try (Consumer<String, byte[]> lookup = consumerFactory.createConsumer(null, "-start")) {
            List<TopicPartition> partitions = partitions(lookup);
            lookup.assign(partitions); // read_committed end offsets (the last stable ones) of assigned partitions
            catchUpTargets = new HashMap<>(lookup.endOffsets(partitions));
            partitions.forEach(p -> fromTheBeginning.add(
                    new TopicPartitionOffset(p.topic(), p.partition(), SeekPosition.BEGINNING)));
        }
        ContainerProperties properties = new ContainerProperties(fromTheBeginning.toArray(TopicPartitionOffset[]::new));
        properties.setMessageListener((BatchConsumerAwareMessageListener<String, byte[]>) this::onBatch);
        properties.setAssignmentCommitOption(AssignmentCommitOption.NEVER);
        properties.setPollTimeout(POLL_TIMEOUT.toMillis());
        properties.setIdleEventInterval(POLL_TIMEOUT.toMillis());
        properties.setIdleBeforeDataMultiplier(1.0);
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor();
        executor.setThreadFactory(task -> {
            Thread thread = new Thread(task, CONTAINER_NAME);
            thread.setDaemon(true);
            consumerThread = thread;
            return thread;
        });
        properties.setListenerTaskExecutor(executor);
        KafkaMessageListenerContainer<String, byte[]> started =
                new KafkaMessageListenerContainer<>(consumerFactory, properties);
        started.setBeanName(CONTAINER_NAME);
        // the idle event, delivered on the consumer thread; the container's other events have no listener here
        started.setApplicationEventPublisher(event -> {
            if (event instanceof ListenerContainerIdleEvent idle && idle.getConsumer() != null) {
                afterPoll(idle.getConsumer());
            }
        });
        started.start();
        container = started;
    }

    @Override
    public synchronized void stop() {
        KafkaMessageListenerContainer<String, byte[]> running = container;
        if (running != null) {
            running.stop(); // wakes the consumer and waits for its loop to end (the container's shutdown timeout)
        }
        Thread thread = consumerThread;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis()); // gone when the context is closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumerThread = null;
        }
    }

    /** False before the start, after the stop, and once the container stopped on a fatal consumer error. */
    @Override
    public boolean isRunning() {
        KafkaMessageListenerContainer<String, byte[]> running = container;
        return running != null && running.isRunning();
    }

    private void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        for (ConsumerRecord<String, byte[]> record : records) {
            apply(record);
        }
        afterPoll(consumer);
    }

    private void afterPoll(Consumer<?, ?> consumer) {
        readModel.evictFinishedChildren(Instant.now());
        if (!caughtUp) {
            catchUpTargets.entrySet().removeIf(target -> consumer.position(target.getKey()) >= target.getValue());
            if (catchUpTargets.isEmpty()) {
                caughtUp = true;
                log.info("read model caught up: {} records applied, {} unreadable",
                        recordsApplied.get(), unreadableRecords.get());
            }
        }
    }

    private static List<TopicPartition> partitions(Consumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<String, ?> topic : SOURCES) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic.name());
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic.name() + " has no partitions");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        return partitions;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.key() == null) {
                throw new IllegalArgumentException("record has no key");
            }
            String topic = record.topic();
            if (topic.equals(Topics.PARENT_PROGRESS.name())) {
                readModel.applyParent(record.key(), decode(Topics.PARENT_PROGRESS, record));
            } else if (topic.equals(Topics.CHILD_PROGRESS.name())) {
                readModel.applyChild(record.key(), decode(Topics.CHILD_PROGRESS, record), record.partition(),
                        record.offset());
            } else if (topic.equals(Topics.DOCUMENTS.name())) {
                readModel.applyDocument(record.key(), decode(Topics.DOCUMENTS, record), record.partition(),
                        record.offset());
            }
            recordsApplied.incrementAndGet();
        } catch (RuntimeException e) {
            long count = unreadableRecords.incrementAndGet();
            log.warn("skipping unreadable record {}-{}@{} (key {}), {} so far: {}", record.topic(),
                    record.partition(), record.offset(), record.key(), count, e.getMessage());
        }
    }

    private static <V> V decode(Topic<String, V> topic, ConsumerRecord<String, byte[]> record) {
        V value = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (value != null) {
            Validity.check(value);
        }
        return value;
    }
}

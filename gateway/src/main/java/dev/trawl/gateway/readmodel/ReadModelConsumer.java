package dev.trawl.gateway.readmodel;

import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.TopicBootstrap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Feeds the {@link ReadModel} from {@code trawl.parent-progress}, {@code trawl.child-progress} and
 * {@code trawl.documents}: every partition assigned (no consumer group: each gateway replica holds the whole
 * view), read from the beginning with {@code read_committed}, so a restarted gateway rebuilds everything.
 *
 * <p>Values are decoded here rather than by the consumer's deserializer so that one unreadable record is logged,
 * counted and skipped instead of stopping the poll loop; the gateway does not own these topics, so it has no
 * business dead-lettering their records. The view is "caught up" once every partition has reached the end offset
 * it had when the consumer started.
 *
 * <p>Meters: {@code trawl.gateway.readmodel.records} tagged {@code result} (applied, unreadable),
 * {@code trawl.gateway.readmodel.caught.up} (1 once caught up), and the consumer's own metrics (its lag:
 * {@code kafka.consumer.fetch.manager.records.lag.max}).
 */
@Component
public class ReadModelConsumer implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(ReadModelConsumer.class);
    private static final List<Topic<String, ?>> SOURCES =
            List.of(Topics.PARENT_PROGRESS, Topics.CHILD_PROGRESS, Topics.DOCUMENTS);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final ReadModel readModel;
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private final ObjectProvider<MeterRegistry> registry;
    /** The consumer's own metrics (its lag, fetches) as meters, while it runs. */
    private KafkaClientMetrics clientMetrics;
    private final AtomicLong unreadableRecords = new AtomicLong();
    private final AtomicLong recordsApplied = new AtomicLong();
    private volatile boolean caughtUp;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public ReadModelConsumer(ReadModel readModel, TopicBootstrap topics, ObjectProvider<MeterRegistry> registry) {
        this.readModel = readModel;
        this.bootstrapServers = topics.bootstrapServers();
        this.clientProperties = topics.clientProperties();
        this.registry = registry;
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
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "trawl-gateway-readmodel-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        // snapshots arrive in the aggregator's transactions: keep the fetch wait short, for latency
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        props.putAll(clientProperties);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        registry.ifAvailable(meters -> {
            clientMetrics = new KafkaClientMetrics(consumer);
            clientMetrics.bindTo(meters);
        });
        running = true;
        thread = new Thread(this::run, "trawl-gateway-readmodel");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        if (clientMetrics != null) {
            clientMetrics.close();
            clientMetrics = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        try (c) {
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> catchUpTargets = new HashMap<>(c.endOffsets(partitions));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(POLL_TIMEOUT);
                for (ConsumerRecord<String, byte[]> record : records) {
                    apply(record);
                }
                readModel.evictFinishedChildren(Instant.now());
                if (!caughtUp) {
                    catchUpTargets.entrySet().removeIf(target -> c.position(target.getKey()) >= target.getValue());
                    if (catchUpTargets.isEmpty()) {
                        caughtUp = true;
                        log.info("read model caught up: {} records applied, {} unreadable",
                                recordsApplied.get(), unreadableRecords.get());
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("read model consumer woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("read model consumer stopped: the gateway's views no longer change", e);
        } finally {
            running = false;
            consumer = null;
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<String, ?> topic : SOURCES) {
            List<PartitionInfo> infos = c.partitionsFor(topic.name());
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

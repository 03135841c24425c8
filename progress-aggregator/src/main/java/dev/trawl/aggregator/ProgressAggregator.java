package dev.trawl.aggregator;

import dev.trawl.aggregator.errors.DeadLetterDeserializationHandler;
import dev.trawl.aggregator.errors.DeadLetterProcessingHandler;
import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.streamsinternals.CommitPacing;
import dev.trawl.aggregator.streamsinternals.LagTrackingClientSupplier;
import dev.trawl.aggregator.streamsinternals.StreamsInternals;
import dev.trawl.aggregator.topology.ProgressTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One instance of the aggregator: the {@link ProgressTopology} running in a {@link KafkaStreams} client. */
public final class ProgressAggregator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProgressAggregator.class);

    /**
     * @param commitInterval        EOS commit interval while the aggregator keeps up with its input: outputs become
     *                              readable (read_committed) at each commit, so this bounds the latency a snapshot
     *                              adds; shorter costs more transactions
     * @param backlogCommitInterval the commit interval while it works through a backlog (Streams'
     *                              {@code commit.interval.ms}); at most {@code commitInterval} turns the pacing off
     *                              (see {@link CommitPacing})
     * @param backlogRecords        records not yet fetched by a stream thread above which it has a backlog
     * @param standbyReplicas       warm copies of each task's state on other instances, for fast fail-over
     * @param replicationFactor     of the changelog topics Streams creates
     * @param overrides             any other Kafka Streams, consumer or producer setting, applied last
     */
    public record Settings(String bootstrapServers, String applicationId, Path stateDir, Duration commitInterval,
                           Duration backlogCommitInterval, long backlogRecords, int standbyReplicas,
                           int replicationFactor, int streamThreads, ProgressTopology.Settings topology,
                           Map<String, Object> overrides) {

        public Settings {
            overrides = Map.copyOf(overrides);
        }

        public static Settings defaults(String bootstrapServers, Path stateDir) {
            return new Settings(bootstrapServers, "trawl-progress-aggregator", stateDir, Duration.ofMillis(25),
                    Duration.ofMillis(100), 1_000, 1, 1, 1, ProgressTopology.Settings.defaults(), Map.of());
        }

        public Settings withApplicationId(String id) {
            return new Settings(bootstrapServers, id, stateDir, commitInterval, backlogCommitInterval,
                    backlogRecords, standbyReplicas, replicationFactor, streamThreads, topology, overrides);
        }

        /** Commits every {@code commit} while caught up, every {@code backlog} with a backlog (pacing off if equal). */
        public Settings withCommitIntervals(Duration commit, Duration backlog) {
            return new Settings(bootstrapServers, applicationId, stateDir, commit, backlog, backlogRecords,
                    standbyReplicas, replicationFactor, streamThreads, topology, overrides);
        }

        /** Which workarounds of Kafka Streams internals are on (all by default). */
        public Settings withStreamsInternals(StreamsInternals internals) {
            return new Settings(bootstrapServers, applicationId, stateDir, commitInterval, backlogCommitInterval,
                    backlogRecords, standbyReplicas, replicationFactor, streamThreads,
                    topology.withStreamsInternals(internals), overrides);
        }

        public Settings withOverrides(Map<String, Object> more) {
            Map<String, Object> merged = new HashMap<>(overrides);
            merged.putAll(more);
            return new Settings(bootstrapServers, applicationId, stateDir, commitInterval, backlogCommitInterval,
                    backlogRecords, standbyReplicas, replicationFactor, streamThreads, topology, merged);
        }
    }

    private final KafkaStreams streams;
    private final FlowControl flow;

    public ProgressAggregator(Settings settings) {
        this(settings, null);
    }

    /** With Kafka clients of the caller's making (a test watches what the producer is asked to do), or Streams' own. */
    public ProgressAggregator(Settings settings, KafkaClientSupplier clients) {
        CommitPacing pacing = pacing(settings);
        this.flow = new FlowControl(settings.topology().flow());
        var topology = ProgressTopology.build(settings.topology(), pacing, flow);
        KafkaClientSupplier supplier = clients != null ? clients : new DefaultKafkaClientSupplier();
        this.streams = new KafkaStreams(topology, properties(settings), settings.topology().internals().pacesCommits()
                ? new LagTrackingClientSupplier(pacing, supplier) : supplier);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** Commits every commitInterval while caught up, every backlogCommitInterval (Streams' own) with a backlog. */
    static CommitPacing pacing(Settings settings) {
        return settings.topology().internals().pacesCommits()
                && settings.backlogCommitInterval().compareTo(settings.commitInterval()) > 0
                ? CommitPacing.of(settings.commitInterval(), settings.backlogRecords()) : CommitPacing.off();
    }

    /** The Kafka Streams properties the aggregator runs with (public for the benchmark's pass-through baseline). */
    public static Properties properties(Settings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.topology().internals().pacesCommits()
                ? Math.max(settings.commitInterval().toMillis(), settings.backlogCommitInterval().toMillis())
                : settings.commitInterval().toMillis());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.replicationFactor());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        // the record cache only serves the due-set store now (parents and children are WriteBehindStores)
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 2L * 1024 * 1024);
        // each task reads one partition, so there is nothing to wait for to process in timestamp order across
        // partitions; and with idling on, Streams 4.2 formats a log message (String.format) every time it finds a
        // task's queue empty: about a tenth of the stream thread's time in a profile
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
        // records are readable at the commit only, and a commit sends what lingers: fuller batches cost no latency,
        // and fewer produce requests save the broker and the producer about 1.8 µs of CPU per event
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 10);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        // right after a commit the broker may still be writing its markers, and the next transaction's first produce
        // request is answered CONCURRENT_TRANSACTIONS: retried after the default 100 ms backoff, the next commit waited
        // for it (commits of 130 ms, p99 230 ms at 2,000 events/s). Retries still back off exponentially, to 1 s.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 8 * 1024 * 1024);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 20);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.putAll(settings.overrides());
        return props;
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The Kafka Streams client, for its metrics (Micrometer's {@code KafkaStreamsMetrics}). */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** The window of children in flight shared by this instance's tasks, for its meters. */
    public FlowControl flowControl() {
        return flow;
    }

    /** Active tasks (input partitions) this instance processes now. */
    public int activeTaskCount() {
        return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /**
     * Stops processing, committing what was processed, and leaves the group so the other instances take the
     * tasks over at once (not after the session timeout); the state stays on disk for the next start.
     */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}

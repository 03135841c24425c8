package dev.trawl.aggregator;

import dev.trawl.aggregator.errors.DeadLetterDeserializationHandler;
import dev.trawl.aggregator.errors.DeadLetterProcessingHandler;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One instance of the aggregator: the {@link ProgressTopology} running in a {@link KafkaStreams} client. */
public final class ProgressAggregator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProgressAggregator.class);

    /**
     * @param commitInterval    EOS commit interval: outputs become readable (read_committed) at each commit, so
     *                          this bounds the latency a snapshot adds; shorter costs more transactions
     * @param standbyReplicas   warm copies of each task's state on other instances, for fast fail-over
     * @param replicationFactor of the changelog topics Streams creates
     * @param overrides         any other Kafka Streams, consumer or producer setting, applied last
     */
    public record Settings(String bootstrapServers, String applicationId, Path stateDir, Duration commitInterval,
                           int standbyReplicas, int replicationFactor, int streamThreads,
                           ProgressTopology.Settings topology, Map<String, Object> overrides) {

        public Settings {
            overrides = Map.copyOf(overrides);
        }

        public static Settings defaults(String bootstrapServers, Path stateDir) {
            return new Settings(bootstrapServers, "trawl-progress-aggregator", stateDir, Duration.ofMillis(25), 1, 1,
                    1, ProgressTopology.Settings.defaults(), Map.of());
        }

        public Settings withApplicationId(String id) {
            return new Settings(bootstrapServers, id, stateDir, commitInterval, standbyReplicas, replicationFactor,
                    streamThreads, topology, overrides);
        }

        public Settings withOverrides(Map<String, Object> more) {
            Map<String, Object> merged = new HashMap<>(overrides);
            merged.putAll(more);
            return new Settings(bootstrapServers, applicationId, stateDir, commitInterval, standbyReplicas,
                    replicationFactor, streamThreads, topology, merged);
        }
    }

    private final KafkaStreams streams;

    public ProgressAggregator(Settings settings) {
        this(settings, null);
    }

    /** With Kafka clients of the caller's making (a test watches what the producer is asked to do), or Streams' own. */
    public ProgressAggregator(Settings settings, KafkaClientSupplier clients) {
        var topology = ProgressTopology.build(settings.topology());
        this.streams = clients == null ? new KafkaStreams(topology, properties(settings))
                : new KafkaStreams(topology, properties(settings), clients);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    static Properties properties(Settings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.replicationFactor());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        // the record cache only serves the due-set store now (parents and children are WriteBehindStores)
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 2L * 1024 * 1024);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
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

package dev.trawl.aggregator;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.observability.AggregatorMeters;
import dev.trawl.aggregator.observability.KafkaStreamsHealthIndicator;
import dev.trawl.aggregator.streamsinternals.StreamsInternals;
import dev.trawl.aggregator.topology.ProgressTopology;
import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The progress-aggregator service: Spring Boot wiring around {@link ProgressAggregator}, with Actuator's health
 * ({@code kafkaStreams}) and Prometheus meters (Trawl's own and the Streams client's) on {@code server.port}.
 */
@SpringBootApplication
@EnableConfigurationProperties(KafkaClientProperties.class)
public class AggregatorApplication {

    public static void main(String[] args) {
        SpringApplication.run(AggregatorApplication.class, args);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    ProgressAggregator progressAggregator(
            KafkaClientProperties kafka,
            @Value("${trawl.kafka.bootstrap-servers}") String bootstrapServers,
            @Value("${trawl.kafka.replication-factor}") int replicationFactor,
            @Value("${trawl.aggregator.application-id}") String applicationId,
            @Value("${trawl.aggregator.state-dir}") Path stateDir,
            @Value("${trawl.aggregator.commit-interval}") Duration commitInterval,
            @Value("${trawl.aggregator.backlog-commit-interval}") Duration backlogCommitInterval,
            @Value("${trawl.aggregator.backlog-records}") long backlogRecords,
            @Value("${trawl.aggregator.standby-replicas}") int standbyReplicas,
            @Value("${trawl.aggregator.stream-threads}") int streamThreads,
            @Value("${trawl.aggregator.snapshot-interval}") Duration snapshotInterval,
            @Value("${trawl.aggregator.host-shards}") int hostShards,
            @Value("${trawl.aggregator.child-retention}") Duration childRetention,
            @Value("${trawl.aggregator.retention-scan-interval}") Duration retentionScanInterval,
            @Value("${trawl.aggregator.flow.initial-limit}") int initialLimit,
            @Value("${trawl.aggregator.flow.min-limit}") int minLimit,
            @Value("${trawl.aggregator.flow.max-limit}") int maxLimit,
            @Value("${trawl.aggregator.flow.max-per-parent}") int maxPerParent,
            @Value("${trawl.aggregator.flow.delayed-host-in-flight}") int delayedHostInFlight,
            @Value("${trawl.aggregator.flow.target-age}") Duration targetAge,
            @Value("${trawl.aggregator.flow.adjust-interval}") Duration adjustInterval,
            @Value("${trawl.aggregator.flow.dispatch-interval}") Duration dispatchInterval,
            @Value("${trawl.aggregator.streams-internals.write-behind-store}") boolean writeBehindStore,
            @Value("${trawl.aggregator.streams-internals.commit-hook}") boolean commitHook,
            @Value("${trawl.aggregator.streams-internals.commit-pacing}") boolean commitPacing) {
        TopicAdmin.ensureTopics(bootstrapServers, kafka.properties(), Topics.ALL, (short) replicationFactor);
        return new ProgressAggregator(new ProgressAggregator.Settings(bootstrapServers, applicationId, stateDir,
                commitInterval, backlogCommitInterval, backlogRecords, standbyReplicas, replicationFactor,
                streamThreads, new ProgressTopology.Settings(snapshotInterval, hostShards, childRetention,
                        retentionScanInterval, new FlowControl.Settings(initialLimit, minLimit, maxLimit, maxPerParent,
                        delayedHostInFlight, targetAge, adjustInterval, dispatchInterval),
                        new StreamsInternals(writeBehindStore, commitHook, commitPacing)),
                Map.copyOf(kafka.properties())));
    }

    @Bean
    KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(ProgressAggregator aggregator) {
        return new KafkaStreamsHealthIndicator(aggregator);
    }

    @Bean
    AggregatorMeters aggregatorMeters(ProgressAggregator aggregator) {
        return new AggregatorMeters(aggregator);
    }

    /** The Streams client's own metrics (threads, tasks, the main consumers' lag, producers) as Micrometer meters. */
    @Bean(destroyMethod = "close")
    KafkaStreamsMetrics kafkaStreamsMetrics(ProgressAggregator aggregator) {
        return new KafkaStreamsMetrics(aggregator.kafkaStreams());
    }
}

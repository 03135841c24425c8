package dev.trawl.aggregator.observability;

import dev.trawl.aggregator.ProgressAggregator;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code kafkaStreams} health: the state of the aggregator's Kafka Streams client. RUNNING and REBALANCING are UP
 * (a rebalance is normal operation: tasks move, state restores); CREATED is OUT_OF_SERVICE (not started yet);
 * PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR and ERROR are DOWN: the client folds nothing any more and does not
 * recover by itself, so the instance should be restarted. Part of the liveness and readiness groups.
 */
public final class KafkaStreamsHealthIndicator implements HealthIndicator {

    private final ProgressAggregator aggregator;

    public KafkaStreamsHealthIndicator(ProgressAggregator aggregator) {
        this.aggregator = aggregator;
    }

    @Override
    public Health health() {
        KafkaStreams.State state = aggregator.state();
        Health.Builder health = switch (state) {
            case RUNNING, REBALANCING -> Health.up();
            case CREATED -> Health.outOfService();
            case PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR -> Health.down();
        };
        health.withDetail("state", state.name());
        if (state.isRunningOrRebalancing()) {
            int threads = 0;
            int activeTasks = 0;
            int standbyTasks = 0;
            for (ThreadMetadata thread : aggregator.kafkaStreams().metadataForLocalThreads()) {
                threads++;
                activeTasks += thread.activeTasks().size();
                standbyTasks += thread.standbyTasks().size();
            }
            health.withDetail("stream_threads", threads).withDetail("active_tasks", activeTasks)
                    .withDetail("standby_tasks", standbyTasks);
        }
        return health.build();
    }
}

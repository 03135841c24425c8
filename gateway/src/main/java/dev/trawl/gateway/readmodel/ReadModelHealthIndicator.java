package dev.trawl.gateway.readmodel;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code readModel} health: UP once the views have caught up with the topics, OUT_OF_SERVICE while they are
 * still rebuilding, DOWN when the consumer stopped. Part of the readiness group (see application.yml).
 */
@Component
public class ReadModelHealthIndicator implements HealthIndicator {

    private final ReadModelConsumer consumer;

    public ReadModelHealthIndicator(ReadModelConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public Health health() {
        Health.Builder builder = !consumer.isRunning() ? Health.down()
                : consumer.caughtUp() ? Health.up() : Health.outOfService();
        return builder.withDetail("caught_up", consumer.caughtUp())
                .withDetail("records_applied", consumer.recordsApplied())
                .withDetail("unreadable_records", consumer.unreadableRecords())
                .build();
    }
}

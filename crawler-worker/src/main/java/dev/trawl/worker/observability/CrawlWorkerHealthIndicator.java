package dev.trawl.worker.observability;

import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerActivity;
import dev.trawl.worker.delivery.TransactionalTaskLoop;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code crawlWorker} health: whether the worker's task loop, its consumer and its transactional producer still do
 * their work. DOWN when
 * <ul>
 *   <li>the task loop is not running (stopped, or ended on an unexpected error);</li>
 *   <li>the consumer lost the brokers: no broker connection at any check for a session timeout, and no heartbeat
 *       to its group coordinator for as long (or no heartbeat figure at all: the consumer drops it while it has no
 *       coordinator). A long rebalance also pauses heartbeats, but keeps the connections;</li>
 *   <li>no poll for longer than {@code max-poll-interval}: a batch is stuck, and the group has evicted the member;</li>
 *   <li>it never joined the group within {@link #JOIN_TIMEOUT} of its start;</li>
 *   <li>the transactional producer was fenced (another instance runs with this {@code instance-id}) or the last
 *       {@value #FAILED_TRANSACTIONS_DOWN} transactions failed, with no commit since.</li>
 * </ul>
 * Part of the liveness and readiness groups: each of these needs a restart (or the broker back).
 */
public final class CrawlWorkerHealthIndicator implements HealthIndicator {

    static final int FAILED_TRANSACTIONS_DOWN = 3;
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

    private final CrawlWorker worker;
    private final long sessionTimeoutMs;
    private final long maxPollIntervalMs;
    /** When a check first saw the consumer without a broker connection (0: it had one at the last check). */
    private volatile long disconnectedSinceNanos;

    public CrawlWorkerHealthIndicator(CrawlWorker worker) {
        this.worker = worker;
        this.sessionTimeoutMs = TransactionalTaskLoop.sessionTimeout(worker.settings()).toMillis();
        this.maxPollIntervalMs = worker.settings().maxPollInterval().toMillis();
    }

    @Override
    public Health health() {
        WorkerActivity activity = worker.activity();
        double heartbeatAge = activity.heartbeatAgeSeconds();
        double connections = activity.consumerConnections();
        long sincePoll = activity.msSinceLastPoll();
        long now = System.nanoTime();
        if (connections != 0) {
            disconnectedSinceNanos = 0;
        } else if (disconnectedSinceNanos == 0) {
            disconnectedSinceNanos = now;
        }
        long disconnectedMs = disconnectedSinceNanos == 0 ? 0 : (now - disconnectedSinceNanos) / 1_000_000;
        String down = null;
        if (!worker.isRunning()) {
            down = "the task loop is not running";
        } else if (activity.fenced()) {
            down = "the transactional producer was fenced: another instance uses instance-id "
                    + worker.settings().instanceId();
        } else if (activity.failedTransactionsInARow() >= FAILED_TRANSACTIONS_DOWN) {
            down = activity.failedTransactionsInARow() + " transactions failed in a row";
        } else if (!activity.hasJoined()) {
            if (activity.msSinceCreated() > JOIN_TIMEOUT.toMillis()) {
                down = "has not joined the consumer group in " + JOIN_TIMEOUT.toSeconds() + " s";
            }
        } else if (disconnectedMs > sessionTimeoutMs && (heartbeatAge < 0 || heartbeatAge * 1000 > sessionTimeoutMs)) {
            down = "no broker: no connection for " + disconnectedMs / 1000 + " s, and no heartbeat to the group "
                    + "coordinator" + (heartbeatAge < 0 ? "" : " for " + Math.round(heartbeatAge) + " s");
        } else if (sincePoll > maxPollIntervalMs) {
            down = "no poll for " + sincePoll / 1000 + " s (max-poll-interval " + maxPollIntervalMs / 1000 + " s)";
        }
        Health.Builder health = down == null ? Health.up() : Health.down().withDetail("reason", down);
        health.withDetail("instance_id", worker.settings().instanceId())
                .withDetail("group", activity.hasJoined() ? "joined" : "joining")
                .withDetail("ms_since_last_poll", sincePoll)
                .withDetail("heartbeat_age_s", heartbeatAge)
                .withDetail("broker_connections", (long) connections)
                .withDetail("transactions", activity.transactions())
                .withDetail("failed_transactions_in_a_row", activity.failedTransactionsInARow());
        if (activity.lastTransactionError() != null) {
            health.withDetail("last_transaction_error", activity.lastTransactionError());
        }
        return health.build();
    }
}

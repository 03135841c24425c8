package dev.trawl.worker;

import dev.trawl.api.event.ReasonClass;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * What one worker's task loop has done, and when: pages reported by outcome, polls, transactions, and its Kafka
 * clients. Written by the loop, read by any thread (health checks, meters); only counters and timestamps, nothing
 * allocated per page. Plain Java, like {@link CrawlWorker}.
 */
public final class WorkerActivity {

    /** Told when the loop opens or closes a Kafka client (a consumer or a producer), e.g. to bind its metrics. */
    public interface ClientListener {

        void opened(Object client);

        void closed(Object client);
    }

    private static final ClientListener NO_LISTENER = new ClientListener() {
        @Override
        public void opened(Object client) {
        }

        @Override
        public void closed(Object client) {
        }
    };

    private final LongAdder completed = new LongAdder();
    private final LongAdder failedError = new LongAdder();
    private final LongAdder failedPolicy = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder failedTransactions = new LongAdder();
    private final long createdAtNanos = System.nanoTime();
    private final Set<Object> openClients = ConcurrentHashMap.newKeySet();
    private volatile ClientListener listener = NO_LISTENER;
    private volatile Consumer<?, ?> consumer;
    private volatile long lastPollNanos;
    private volatile long joinedAtNanos;
    private volatile int failedTransactionsInARow;
    private volatile boolean fenced;
    private volatile String lastTransactionError;

    /**
     * Tells {@code clientListener} of the clients opened and closed from now on, and of those open now (so it may
     * be told of one twice).
     */
    public void listen(ClientListener clientListener) {
        this.listener = clientListener;
        openClients.forEach(clientListener::opened);
    }

    // ---- written by the loop

    public void consumerOpened(Consumer<?, ?> opened) {
        consumer = opened;
        openClients.add(opened);
        listener.opened(opened);
    }

    public void producerOpened(Producer<?, ?> opened) {
        openClients.add(opened);
        listener.opened(opened);
    }

    public void clientClosed(Object client) {
        if (client == consumer) {
            consumer = null;
        }
        openClients.remove(client);
        listener.closed(client);
    }

    public void polled() {
        lastPollNanos = System.nanoTime();
    }

    /** The consumer joined the group (a first assignment, possibly empty). */
    public void joined() {
        if (joinedAtNanos == 0) {
            joinedAtNanos = System.nanoTime();
        }
    }

    /** A committed transaction reported {@code outcome} (null: an unreadable task, dead-lettered). */
    public void reported(TaskOutcome outcome) {
        if (outcome instanceof TaskOutcome.Completed) {
            completed.increment();
        } else if (outcome instanceof TaskOutcome.Failed failed) {
            (failed.reasonClass() == ReasonClass.POLICY ? failedPolicy : failedError).increment();
        } else if (outcome instanceof TaskOutcome.Cancelled) {
            cancelled.increment();
        }
    }

    public void transactionCommitted() {
        transactions.increment();
        failedTransactionsInARow = 0;
        fenced = false;
    }

    public void transactionFailed(RuntimeException error) {
        failedTransactions.increment();
        failedTransactionsInARow++;
        lastTransactionError = error.toString();
        if (error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException) {
            fenced = true; // another instance took this transactional id over
        }
    }

    // ---- read by anyone

    public long completed() {
        return completed.sum();
    }

    public long failed(ReasonClass reasonClass) {
        return (reasonClass == ReasonClass.POLICY ? failedPolicy : failedError).sum();
    }

    public long cancelled() {
        return cancelled.sum();
    }

    public long transactions() {
        return transactions.sum();
    }

    public long failedTransactions() {
        return failedTransactions.sum();
    }

    public int failedTransactionsInARow() {
        return failedTransactionsInARow;
    }

    /** The last transaction failed because another producer with this instance's transactional id fenced it. */
    public boolean fenced() {
        return fenced;
    }

    public String lastTransactionError() {
        return lastTransactionError;
    }

    /** Milliseconds since the loop's last poll returned, or since the worker was made if it has not polled. */
    public long msSinceLastPoll() {
        long last = lastPollNanos;
        return (System.nanoTime() - (last == 0 ? createdAtNanos : last)) / 1_000_000;
    }

    public boolean hasJoined() {
        return joinedAtNanos != 0;
    }

    public long msSinceCreated() {
        return (System.nanoTime() - createdAtNanos) / 1_000_000;
    }

    /**
     * Seconds since the consumer last sent its group coordinator a heartbeat (its own metric), or -1 without a
     * consumer. A consumer sends one every few seconds, from its own thread, while it reaches the coordinator;
     * without a broker it sends none, so the figure grows.
     */
    public double heartbeatAgeSeconds() {
        return consumerMetric("consumer-coordinator-metrics", "last-heartbeat-seconds-ago");
    }

    /** Connections the consumer holds to brokers now (its own metric), or -1 without a consumer. */
    public double consumerConnections() {
        return consumerMetric("consumer-metrics", "connection-count");
    }

    private double consumerMetric(String group, String metric) {
        Consumer<?, ?> current = consumer;
        if (current == null) {
            return -1;
        }
        for (Map.Entry<MetricName, ? extends Metric> entry : current.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals(metric) && name.group().equals(group)
                    && entry.getValue().metricValue() instanceof Number value) {
                return value.doubleValue();
            }
        }
        return -1;
    }
}

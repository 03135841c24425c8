package dev.trawl.aggregator.topology;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How often the aggregator commits. While a stream thread keeps up with its input it asks for a commit every
 * {@link #interval()}, so a snapshot is readable soon after the event it counts. While it works through a backlog
 * (more than {@link #backlogRecords()} records not yet fetched) it leaves the commits to Streams'
 * {@code commit.interval.ms}, which is longer: then an event's latency is the backlog's anyway, and each commit's
 * fixed cost (a producer flush and two broker round trips, with the stream thread waiting) is better spent
 * processing, and more of a child's changes fold into one record.
 *
 * <p>The backlog is what the thread's consumer reports after each poll ({@code KafkaConsumer.currentLag}, no
 * request), registered here per stream thread by the aggregator's client supplier. A thread with no lag registered
 * counts as keeping up: it commits every {@link #interval()}.
 */
public final class CommitPacing {

    private static final CommitPacing OFF = new CommitPacing(Duration.ZERO, 0);

    private final Duration interval;
    private final long backlogRecords;
    private final Map<String, LongSupplier> lagByThread = new ConcurrentHashMap<>();

    private CommitPacing(Duration interval, long backlogRecords) {
        this.interval = interval;
        this.backlogRecords = backlogRecords;
    }

    /** Streams' {@code commit.interval.ms} alone decides. */
    public static CommitPacing off() {
        return OFF;
    }

    /** A commit every {@code interval} while caught up (at most {@code backlogRecords} not yet fetched). */
    public static CommitPacing of(Duration interval, long backlogRecords) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("commit interval must be positive: " + interval);
        }
        return new CommitPacing(interval, backlogRecords);
    }

    public boolean enabled() {
        return this != OFF;
    }

    public Duration interval() {
        return interval;
    }

    public long backlogRecords() {
        return backlogRecords;
    }

    /** {@code lag}: how many records the consumer of stream thread {@code threadName} has not fetched yet. */
    public void trackLag(String threadName, LongSupplier lag) {
        lagByThread.put(threadName, lag);
    }

    public void forget(String threadName) {
        lagByThread.remove(threadName);
    }

    /** Whether the calling stream thread keeps up with its input. */
    boolean caughtUp() {
        LongSupplier lag = lagByThread.get(Thread.currentThread().getName());
        return lag == null || lag.getAsLong() <= backlogRecords;
    }
}

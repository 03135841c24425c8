package dev.trawl.aggregator.streamsinternals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How often the aggregator commits. While a stream thread keeps up with its input it asks for a commit every
 * {@link #interval()}, so a snapshot is readable soon after the event it counts. While it works through a backlog
 * (more than the {@code backlogRecords} given to {@link #of} not yet fetched) it leaves the commits to Streams'
 * {@code commit.interval.ms}, which is longer: then an event's latency is the backlog's anyway, and each commit's
 * fixed cost (a producer flush and two broker round trips, with the stream thread waiting) is better spent
 * processing, and more of a child's changes fold into one record.
 *
 * <p>The backlog is what the thread's consumer reports after each poll ({@code KafkaConsumer.currentLag}, no
 * request), registered here per stream thread by the aggregator's client supplier. A thread with no lag registered
 * counts as keeping up: it commits every {@link #interval()}. A thread that falls behind or catches up says so in
 * the log (at most every 10 s at INFO, the rest at DEBUG).
 */
public final class CommitPacing {

    private static final Logger log = LoggerFactory.getLogger(CommitPacing.class);
    private static final long LOG_EVERY_MS = 10_000;
    /** Per stream thread: whether it had a backlog at its last look (1), and when it last logged a change at INFO. */
    private static final ThreadLocal<long[]> STATE = ThreadLocal.withInitial(() -> new long[2]);

    private static final CommitPacing OFF = new CommitPacing(Duration.ZERO, 0);

    private final Duration interval;
    private final long intervalMs;
    private final long backlogRecords;
    private final Map<String, LongSupplier> lagByThread = new ConcurrentHashMap<>();

    private CommitPacing(Duration interval, long backlogRecords) {
        this.interval = interval;
        this.intervalMs = interval.toMillis();
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

    /**
     * Asks {@code context} for a commit once {@link #interval()} has passed since the calling thread's last one
     * ended, if the thread keeps up with its input; with a backlog, Streams' longer {@code commit.interval.ms}
     * decides. A request with nothing processed since the last commit commits nothing. When the last commit ended
     * is what the thread's {@link CommitHook}s saw: pacing needs them.
     */
    public void maybeRequestCommit(ProcessorContext<?, ?> context) {
        if (this != OFF && CommitHook.msSinceLastCommit(context.currentSystemTimeMs()) >= intervalMs && caughtUp()) {
            context.commit();
        }
    }

    /** {@code lag}: how many records the consumer of stream thread {@code threadName} has not fetched yet. */
    public void trackLag(String threadName, LongSupplier lag) {
        lagByThread.put(threadName, lag);
    }

    public void forget(String threadName) {
        lagByThread.remove(threadName);
    }

    /**
     * The calling thread's lag as its consumer last reported it, or -1 when none is tracked under the thread's name
     * (the contract test's look at what {@link #caughtUp()} sees).
     */
    long lagOfCallingThread() {
        LongSupplier lag = lagByThread.get(Thread.currentThread().getName());
        return lag == null ? -1 : lag.getAsLong();
    }

    /** Whether the calling stream thread keeps up with its input. */
    boolean caughtUp() {
        LongSupplier lag = lagByThread.get(Thread.currentThread().getName());
        long records = lag == null ? 0 : lag.getAsLong();
        boolean caughtUp = records <= backlogRecords;
        long[] state = STATE.get();
        if ((state[0] == 1) == caughtUp) {
            state[0] = caughtUp ? 0 : 1;
            long now = System.currentTimeMillis();
            boolean info = now - state[1] >= LOG_EVERY_MS;
            if (info) {
                state[1] = now;
            }
            if (info ? log.isInfoEnabled() : log.isDebugEnabled()) {
                String message = caughtUp
                        ? "caught up ({} records not yet fetched): committing every {} ms"
                        : "{} records not yet fetched: committing at commit.interval.ms until caught up (every {} ms"
                        + " while caught up)";
                if (info) {
                    log.info(message, records, interval.toMillis());
                } else {
                    log.debug(message, records, interval.toMillis());
                }
            }
        }
        return caughtUp;
    }
}

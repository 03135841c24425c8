package dev.trawl.aggregator.flow;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many crawl tasks may be scheduled but not finished, for this aggregator instance as a whole (the limit) and
 * for each parent (its fair share of the limit). Shared by every stream task of the instance, so many parents
 * cannot flood the workers together, and a small job gets its share as soon as it starts, however big the others.
 *
 * <p>The limit adapts (AIMD, like a TCP window) to what the watchers feel: the age of the child terminal events the
 * aggregator folds, that is the time from the worker's send to the fold. While {@code target-age} holds for at
 * least 90 % of the events of an adjustment period and the limit was what held dispatching back, it grows by a
 * quarter; when more than a tenth of the events are older, it shrinks to 80 %. More tasks in flight than the
 * aggregator folds in time means a backlog, and a backlog is staleness: the window keeps the events in flight to
 * what folds within the target. Bounds: {@code [min-limit, max-limit]}.
 *
 * <p><b>Shares favour the young</b> (least attained service, as schedulers that keep short jobs short do): a parent
 * that has handed out {@code n} children weighs {@code 1 / (1 + n / }{@value #ATTAINED_SCALE}{@code )}, and its
 * share is the limit split by weight among the parents with children queued, at least {@value #MIN_SHARE}, at most
 * {@code max-per-parent}. A crawl that just started thus gets most of the window beside one that has handed out
 * thousands: a small crawl's levels go out whole, as they would alone, while the big one waits a little; two crawls
 * of the same age share equally. Parents with nothing queued ask for nothing and weigh nothing, so the room they do
 * not need is not held back from the others. The share is checked when a parent dispatches, so a parent above it
 * (the big one, when a small one arrives) dispatches nothing until enough of its children finished; the freed room
 * goes to the parents below theirs, which the processors retry every {@code dispatch-interval}.
 *
 * <p>Thread-safe: stream threads share one instance. Each method is short and uncontended in the common case of
 * one stream thread.
 */
public final class FlowControl {

    private static final Logger log = LoggerFactory.getLogger(FlowControl.class);
    private static final long LOG_INTERVAL_MS = 1_000;
    /** Children handed out at which a parent weighs half as much as one that just started. */
    static final long ATTAINED_SCALE = 100;
    /** The least share of a parent with children queued, however old. */
    static final long MIN_SHARE = 4;

    /**
     * @param initialLimit        the limit at start, before any measurement
     * @param minLimit            the limit never shrinks below this
     * @param maxLimit            ... nor grows above this
     * @param maxPerParent        one parent never has more in flight, whatever the limit
     * @param delayedHostInFlight tasks of one host with a politeness delay in flight per parent: its requests are
     *                            serialised anyway, more would only queue in one task partition ahead of others
     * @param targetAge           age of a folded child terminal event (worker send to fold) the limit keeps to
     * @param adjustInterval      how often the limit is adjusted
     * @param dispatchInterval    how often parents held back by the limit or their share are retried
     */
    public record Settings(int initialLimit, int minLimit, int maxLimit, int maxPerParent, int delayedHostInFlight,
                           Duration targetAge, Duration adjustInterval, Duration dispatchInterval) {

        public Settings {
            if (minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit) {
                throw new IllegalArgumentException("flow control needs 1 <= min-limit <= initial-limit <= max-limit");
            }
            if (maxPerParent < 1 || delayedHostInFlight < 1) {
                throw new IllegalArgumentException("max-per-parent and delayed-host-in-flight must be at least 1");
            }
        }

        public static Settings defaults() {
            return new Settings(128, 16, 1_024, 512, 2, Duration.ofMillis(200), Duration.ofMillis(250),
                    Duration.ofMillis(20));
        }

        /** A fixed limit (min = initial = max): what tests use to check the window is never exceeded. */
        public Settings withFixedLimit(int limit, int perParent) {
            return new Settings(limit, limit, limit, perParent, delayedHostInFlight, targetAge, adjustInterval,
                    dispatchInterval);
        }
    }

    private final Settings settings;

    /** What an active parent holds: children in flight, and its weight (0 while it has nothing queued). */
    private static final class Held {
        long inFlight;
        double weight;
    }

    /** The active parents: children in flight or queued. */
    private final Map<String, Held> parents = new HashMap<>();
    private long inFlight;
    /** The weights of the active parents. */
    private double totalWeight;
    private int limit;

    /** Wall-clock time of the first fold or tick: events sent before it are not this instance's to answer for. */
    private long startedAtMs = -1;
    // the current adjustment period
    private long periodStartMs = -1;
    private long samples;
    private long late;
    private long maxAgeMs;
    private boolean heldBack;
    private long peakInFlight;
    private long lastLogMs = -1;
    // since start, for the service's meters (read at a scrape): child terminal events folded, their ages, the late
    private long foldedTotal;
    private long foldedAgeMsTotal;
    private long lateTotal;

    public FlowControl(Settings settings) {
        this.settings = settings;
        this.limit = settings.initialLimit();
    }

    public Settings settings() {
        return settings;
    }

    public synchronized long inFlight() {
        return inFlight;
    }

    public synchronized int activeParents() {
        return parents.size();
    }

    public synchronized int limit() {
        return limit;
    }

    /** Child terminal events folded since this instance started (those {@link #folded} counts). */
    public synchronized long foldedTotal() {
        return foldedTotal;
    }

    /** The sum of their ages (worker send to fold), in milliseconds. */
    public synchronized long foldedAgeMsTotal() {
        return foldedAgeMsTotal;
    }

    /** How many of them were older than {@code target-age}. */
    public synchronized long lateTotal() {
        return lateTotal;
    }

    /**
     * How many more children {@code parentId}, holding {@code parentInFlight} and having handed out
     * {@code attained} children in all, may dispatch now; 0 when none.
     */
    public synchronized long room(String parentId, long parentInFlight, long attained) {
        Held held = parents.get(parentId);
        double weight = weight(attained);
        double total = totalWeight - (held == null ? 0 : held.weight) + weight;
        long share = Math.min(settings.maxPerParent(), Math.max(MIN_SHARE, (long) Math.ceil(limit * weight / total)));
        // what the parent holds now, not what it last reported: a child of it may just have ended
        long others = inFlight - (held == null ? 0 : held.inFlight);
        long room = Math.min(share - parentInFlight, limit - others - parentInFlight);
        if (room <= 0) {
            heldBack = true;
            return 0;
        }
        return room;
    }

    /**
     * Records what {@code parentId} holds now. A parent with nothing in flight and nothing queued is forgotten: it
     * no longer counts as active.
     */
    public synchronized void update(String parentId, long parentInFlight, boolean queued, long attained) {
        long holds = Math.max(0, parentInFlight);
        Held held = parents.get(parentId);
        if (holds == 0 && !queued) {
            if (held != null) {
                parents.remove(parentId);
                inFlight -= held.inFlight;
                totalWeight -= held.weight;
            }
        } else {
            if (held == null) {
                held = new Held();
                parents.put(parentId, held);
            }
            double weight = queued ? weight(attained) : 0;
            inFlight += holds - held.inFlight;
            totalWeight += weight - held.weight;
            held.inFlight = holds;
            held.weight = weight;
        }
        if (parents.isEmpty()) {
            totalWeight = 0; // no rounding left behind
        }
        peakInFlight = Math.max(peakInFlight, inFlight);
    }

    /** Forgets {@code parentId} (its task moved to another instance or closed). */
    public synchronized void release(String parentId) {
        update(parentId, 0, false, 0);
    }

    static double weight(long attained) {
        return 1 / (1 + Math.max(0, attained) / (double) ATTAINED_SCALE);
    }

    /**
     * A child terminal event sent at {@code sentAtMs} was folded at {@code nowMs}. Events sent before this instance
     * started are not counted: they are the backlog of an earlier life (a restore, a catch-up after downtime) that
     * no window of this instance could have prevented, while events sent since that still wait behind such a
     * backlog are late and count.
     */
    public synchronized void folded(long sentAtMs, long nowMs) {
        if (startedAtMs < 0) {
            startedAtMs = nowMs;
        }
        if (sentAtMs < startedAtMs) {
            return;
        }
        long ageMs = nowMs - sentAtMs;
        samples++;
        foldedTotal++;
        foldedAgeMsTotal += ageMs;
        if (ageMs > settings.targetAge().toMillis()) {
            late++;
            lateTotal++;
        }
        maxAgeMs = Math.max(maxAgeMs, ageMs);
    }

    /** Adjusts the limit once per adjustment interval; called often (every dispatch retry of every task). */
    public synchronized void tick(long nowMs) {
        if (startedAtMs < 0) {
            startedAtMs = nowMs;
        }
        if (periodStartMs < 0) {
            periodStartMs = nowMs;
            return;
        }
        if (nowMs - periodStartMs < settings.adjustInterval().toMillis()) {
            return;
        }
        int before = limit;
        if (samples > 0 && late * 10 > samples) {
            limit = Math.max(settings.minLimit(), (int) (limit * 0.8));
        } else if (heldBack && peakInFlight * 10 >= limit * 8L) {
            limit = Math.min(settings.maxLimit(), limit + Math.max(4, limit / 4));
        }
        if (limit != before && log.isDebugEnabled()) {
            log.debug("flow: limit {} -> {} ({} of {} events late, max age {} ms)", before, limit, late, samples,
                    maxAgeMs);
        }
        if (!parents.isEmpty() && (lastLogMs < 0 || nowMs - lastLogMs >= LOG_INTERVAL_MS)) {
            lastLogMs = nowMs;
            log.info("flow: limit={} in_flight={} active_parents={} late={}/{} max_age_ms={}", limit, inFlight,
                    parents.size(), late, samples, maxAgeMs);
        }
        periodStartMs = nowMs;
        samples = 0;
        late = 0;
        maxAgeMs = 0;
        heldBack = false;
        peakInFlight = inFlight;
    }
}

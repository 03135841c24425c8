package dev.trawl.gateway.live;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The paced part of a {@link CoalescingOutbox}, per key (a job): the latest snapshot queued, a removal, log entries,
 * and what the client already holds of each (the version of its snapshot, the sequence number of its log). Bounded
 * by the keys: one snapshot and one removal per key, at most {@code maxLogEntries} log entries (the oldest give way,
 * counted for a notice).
 *
 * <p>Not thread-safe: the outbox holds its lock around every call.
 *
 * @param <T> what the connection sends
 */
final class PacedContent<T> {

    /** Below every version and sequence number: nothing held. */
    static final long NOTHING = -1;

    private record Versioned<T>(long version, T item) {
    }

    private record LogEntry<T>(String key, long seq, T item) {
    }

    private final int maxLogEntries;
    private final Map<String, T> removals = new LinkedHashMap<>();
    private final ArrayDeque<LogEntry<T>> log = new ArrayDeque<>();
    private final Map<String, Versioned<T>> snapshots = new LinkedHashMap<>();
    private final Map<String, Long> delivered = new HashMap<>();
    private final Map<String, Long> deliveredSeq = new HashMap<>();
    private long droppedLogEntries;

    PacedContent(int maxLogEntries) {
        this.maxLogEntries = maxLogEntries;
    }

    /** Queues {@code item} as the snapshot of {@code key} at {@code version}, if newer than what is held or queued. */
    boolean offer(String key, long version, T item) {
        if (version <= deliveredVersion(key)) {
            return false;
        }
        Versioned<T> queued = snapshots.get(key);
        if (queued != null && queued.version() >= version) {
            return false;
        }
        snapshots.put(key, new Versioned<>(version, item));
        return true;
    }

    /** Queues a log entry of {@code key}, if above the sequence number the client holds. */
    boolean append(String key, long seq, T item) {
        if (seq <= deliveredSeq.getOrDefault(key, NOTHING)) {
            return false;
        }
        log.addLast(new LogEntry<>(key, seq, item));
        if (log.size() > maxLogEntries) {
            log.removeFirst();
            droppedLogEntries++;
        }
        return true;
    }

    /** Queues the removal of {@code key}: it replaces what was queued for the key, and the client starts afresh. */
    void remove(String key, T removal) {
        forget(key);
        removals.put(key, removal);
    }

    /** The client holds {@code key} up to {@code version}: a queued snapshot no newer is dropped. */
    void markDelivered(String key, long version) {
        delivered.merge(key, version, Math::max);
        Versioned<T> queued = snapshots.get(key);
        if (queued != null && queued.version() <= version) {
            snapshots.remove(key);
        }
    }

    long deliveredVersion(String key) {
        return delivered.getOrDefault(key, NOTHING);
    }

    boolean hasSnapshotQueued(String key) {
        return snapshots.containsKey(key);
    }

    /** The client holds the log of {@code key} up to {@code seq}: queued entries up to it are dropped. */
    void logDelivered(String key, long seq) {
        deliveredSeq.merge(key, seq, Math::max);
        log.removeIf(entry -> entry.key().equals(key) && entry.seq() <= seq);
    }

    /** Drops the queued log entries of {@code key} and forgets its sequence numbers. */
    void forgetLog(String key) {
        deliveredSeq.remove(key);
        log.removeIf(entry -> entry.key().equals(key));
    }

    /** Drops everything queued for {@code key} and forgets what the client held of it. */
    void forget(String key) {
        forgetLog(key);
        snapshots.remove(key);
        delivered.remove(key);
        removals.remove(key);
    }

    boolean isEmpty() {
        return removals.isEmpty() && log.isEmpty() && snapshots.isEmpty();
    }

    /** Items queued. */
    int size() {
        return removals.size() + log.size() + snapshots.size();
    }

    /** Drops everything queued (what the client holds is remembered). */
    void clear() {
        removals.clear();
        log.clear();
        snapshots.clear();
    }

    /**
     * Moves everything queued into {@code batch}, in the order the client must see it: the notice of dropped log
     * entries (made by {@code logDropped}), removals (before anything of a key that appears again), log entries in
     * arrival order, then one snapshot per key (last: it already counts what the log just said). Marks it all as
     * held by the client; returns how many snapshots it took.
     */
    int takeInto(Collection<T> batch, LongFunction<T> logDropped) {
        if (droppedLogEntries > 0) {
            batch.add(logDropped.apply(droppedLogEntries));
            droppedLogEntries = 0;
        }
        batch.addAll(removals.values());
        removals.clear();
        for (LogEntry<T> entry : log) {
            if (entry.seq() > deliveredSeq.getOrDefault(entry.key(), NOTHING)) {
                deliveredSeq.put(entry.key(), entry.seq());
                batch.add(entry.item());
            }
        }
        log.clear();
        int taken = 0;
        for (Map.Entry<String, Versioned<T>> queued : snapshots.entrySet()) {
            Versioned<T> snapshot = queued.getValue();
            if (snapshot.version() > deliveredVersion(queued.getKey())) {
                delivered.put(queued.getKey(), snapshot.version());
                batch.add(snapshot.item());
                taken++;
            }
        }
        snapshots.clear();
        return taken;
    }
}

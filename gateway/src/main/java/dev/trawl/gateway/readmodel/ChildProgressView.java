package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ParentProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code trawl.child-progress} holds: the latest state of each child grouped by parent, each job's recent
 * transitions ({@link JobLog}), and the listeners told about them. Written by the {@link ReadModel} on the consumer
 * thread, read by any thread.
 *
 * <p>Children are held as objects while their job runs and for {@code finished-children-in-heap} after it finished
 * (its snapshot's {@code finished_at}); then they are <em>evicted</em>: only a {@link ChildIndex} of their records'
 * positions in {@code trawl.child-progress} stays, which {@link ChildStore} reads back on request. Records of an
 * evicted job that arrive later update its index; tombstones remove from it. The eviction schedule follows the
 * parents' snapshots ({@link #scheduleEviction}) and runs on the consumer thread ({@link #evictFinished}).
 */
final class ChildProgressView {

    private static final Logger log = LoggerFactory.getLogger(ChildProgressView.class);

    private final Map<String, Map<String, HeldChild>> childrenByParent = new ConcurrentHashMap<>();
    private final Map<String, String> parentOfChild = new ConcurrentHashMap<>();
    private final Map<String, ChildIndex> evictedChildren = new ConcurrentHashMap<>();
    // eviction schedule: touched by the consumer thread only
    private final Map<String, Long> evictionDue = new HashMap<>();
    private final PriorityQueue<Eviction> evictions = new PriorityQueue<>();
    private final Duration finishedChildrenInHeap;
    private String lastTombstonedParent;
    private final JobLog jobLog;
    private final List<ReadModel.ChildListener> listeners = new CopyOnWriteArrayList<>();

    ChildProgressView(JobLog jobLog, Duration finishedChildrenInHeap) {
        this.jobLog = jobLog;
        this.finishedChildrenInHeap = finishedChildrenInHeap;
    }

    /** A held child with the position ({@link ChildIndex#position}) of its record, for when it is evicted. */
    private record HeldChild(ChildProgress progress, long position) {
    }

    private record Eviction(long atMillis, String parentId) implements Comparable<Eviction> {
        @Override
        public int compareTo(Eviction other) {
            return Long.compare(atMillis, other.atMillis);
        }
    }

    boolean knows(String parentId) {
        return childrenByParent.containsKey(parentId) || evictedChildren.containsKey(parentId);
    }

    List<ChildProgress> heldChildren(String parentId) {
        Map<String, HeldChild> children = childrenByParent.get(parentId);
        return children == null ? List.of() : children.values().stream().map(HeldChild::progress).toList();
    }

    long[] evictedChildPositions(String parentId) {
        ChildIndex index = evictedChildren.get(parentId);
        return index == null ? new long[0] : index.positions();
    }

    boolean childrenEvicted(String parentId) {
        return evictedChildren.containsKey(parentId);
    }

    List<ChildTransition> log(String parentId, int limit) {
        return jobLog.recent(parentId, limit);
    }

    AutoCloseable addListener(ReadModel.ChildListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Holds {@code child} (a null one, a tombstone, removes it) and tells the listeners about a transition. */
    void apply(String childId, ChildProgress child, int partition, long offset) {
        if (child == null) {
            remove(childId);
            return;
        }
        long position = ChildIndex.position(partition, offset);
        ChildIndex index = evictedChildren.get(child.parentId());
        ChildProgress previous;
        if (index != null) {
            // the job's children are evicted: the index points at this record now. Its previous state is not at
            // hand, so the log counts the record as a transition.
            previous = null;
            index.put(ChildIndex.key(childId), position);
        } else {
            // a child id is derived from its parent's id: an evicted child never shows up under another parent
            String previousParent = parentOfChild.put(childId, child.parentId());
            if (previousParent != null && !previousParent.equals(child.parentId())) {
                Grouped.remove(childrenByParent, previousParent, childId);
            }
            HeldChild held = childrenByParent.computeIfAbsent(child.parentId(), id -> new ConcurrentHashMap<>())
                    .put(childId, new HeldChild(child, position));
            previous = held == null ? null : held.progress();
        }
        ChildTransition transition = jobLog.record(childId, previous, child);
        if (transition == null) {
            return;
        }
        for (ReadModel.ChildListener listener : listeners) {
            try {
                listener.onTransition(transition);
            } catch (RuntimeException e) {
                log.warn("child listener {} failed on {}", listener, childId, e);
            }
        }
    }

    private void remove(String childId) {
        String parentId = parentOfChild.remove(childId);
        if (parentId != null) {
            Grouped.remove(childrenByParent, parentId, childId);
            return;
        }
        // an evicted child, or one never seen: a tombstone names no parent. Retention tombstones a job's children
        // together, so the job the last one came from is tried first, then every evicted job.
        long key = ChildIndex.key(childId);
        ChildIndex last = lastTombstonedParent == null ? null : evictedChildren.get(lastTombstonedParent);
        if (last != null && last.remove(key)) {
            return;
        }
        for (Map.Entry<String, ChildIndex> evicted : evictedChildren.entrySet()) {
            if (evicted.getValue().remove(key)) {
                lastTombstonedParent = evicted.getKey();
                return;
            }
        }
    }

    /** Forgets every child of {@code parentId} and its log (its parent's tombstone); true if any was known. */
    boolean removeParent(String parentId) {
        Map<String, HeldChild> children = childrenByParent.remove(parentId);
        if (children != null) {
            children.keySet().forEach(childId -> parentOfChild.remove(childId, parentId));
        }
        ChildIndex evicted = evictedChildren.remove(parentId);
        evictionDue.remove(parentId);
        jobLog.forget(parentId);
        return children != null || evicted != null;
    }

    /** Plans (or, when the job runs again, cancels) the eviction of the children of the parent of {@code snapshot}. */
    void scheduleEviction(String parentId, ParentProgress snapshot) {
        if (!snapshot.status().isTerminal()) {
            evictionDue.remove(parentId); // running again: its queued eviction is skipped
            return;
        }
        if (evictedChildren.containsKey(parentId)) {
            return;
        }
        Instant finished = snapshot.finishedAt() != null ? snapshot.finishedAt() : Instant.now();
        long at = finished.plus(finishedChildrenInHeap).toEpochMilli();
        Long due = evictionDue.put(parentId, at);
        if (due == null || due != at) {
            evictions.add(new Eviction(at, parentId));
        }
    }

    /** Evicts the children of the jobs that finished {@code finished-children-in-heap} before {@code now}. */
    void evictFinished(Instant now) {
        long nowMillis = now.toEpochMilli();
        while (!evictions.isEmpty() && evictions.peek().atMillis() <= nowMillis) {
            Eviction eviction = evictions.poll();
            Long due = evictionDue.get(eviction.parentId());
            if (due != null && due == eviction.atMillis()) {
                evictionDue.remove(eviction.parentId());
                evict(eviction.parentId());
            }
        }
    }

    private void evict(String parentId) {
        Map<String, HeldChild> held = childrenByParent.getOrDefault(parentId, Map.of());
        long[] keys = new long[held.size()];
        long[] positions = new long[held.size()];
        int i = 0;
        for (Map.Entry<String, HeldChild> child : held.entrySet()) {
            keys[i] = ChildIndex.key(child.getKey());
            positions[i] = child.getValue().position();
            i++;
        }
        // the index first: a reader that no longer finds the held children finds it (ChildStore reads in that order)
        evictedChildren.put(parentId, new ChildIndex(keys, positions));
        childrenByParent.remove(parentId);
        held.keySet().forEach(childId -> parentOfChild.remove(childId, parentId));
    }
}

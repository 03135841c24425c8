package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.GatewayProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The gateway's in-memory view of the compacted topics: latest parent snapshot per parent, latest child state per
 * child and saved documents, the last two grouped by parent. Only {@link ReadModelConsumer} writes it (one thread);
 * request and push threads read it concurrently.
 *
 * <p>A parent snapshot is accepted only when its version is higher than the one held, so every reader — and every
 * client fed from {@link ParentListener}s — sees versions strictly increase even if the topic holds a replayed or
 * duplicated older snapshot. A tombstone (null value) removes the parent with everything held for it: its
 * children, documents and log; listeners are told (records of it that arrive later are held again).
 *
 * <p>Documents are held as metadata plus their offset in {@code trawl.documents}; their Markdown is read from the
 * topic on demand ({@link MarkdownStore}). Each job's recent child transitions are kept in a bounded {@link JobLog}.
 *
 * <p>Children are held as objects while their job runs and for {@code finished-children-in-heap} after it finished
 * (its snapshot's {@code finished_at}); then they are <em>evicted</em>: only a {@link ChildIndex} of their records'
 * positions in {@code trawl.child-progress} stays, which {@link ChildStore} reads back on request. Records of an
 * evicted job that arrive later update its index; tombstones remove from it. Eviction runs on the consumer thread
 * ({@link #evictFinishedChildren}), so this class keeps one writer.
 */
@Component
public class ReadModel {

    private static final Logger log = LoggerFactory.getLogger(ReadModel.class);

    private final Map<String, ParentProgress> parents = new ConcurrentHashMap<>();
    private final Map<String, Map<String, HeldChild>> childrenByParent = new ConcurrentHashMap<>();
    private final Map<String, ChildIndex> evictedChildren = new ConcurrentHashMap<>();
    // eviction schedule: touched by the consumer thread only
    private final Map<String, Long> evictionDue = new HashMap<>();
    private final PriorityQueue<Eviction> evictions = new PriorityQueue<>();
    private final Duration finishedChildrenInHeap;
    private String lastTombstonedParent;
    private final Map<String, String> parentOfChild = new ConcurrentHashMap<>();
    private final Map<String, StoredDocument> documents = new ConcurrentHashMap<>();
    private final Map<String, Map<String, StoredDocument>> documentsByParent = new ConcurrentHashMap<>();
    private final List<ChildListener> childListeners = new CopyOnWriteArrayList<>();
    private final JobLog jobLog;
    private final Map<String, List<CompletableFuture<ParentProgress>>> firstSnapshotWaiters = new ConcurrentHashMap<>();
    private final List<ParentListener> listeners = new CopyOnWriteArrayList<>();

    public ReadModel(GatewayProperties properties) {
        this.jobLog = new JobLog(properties.jobLog().size(), properties.jobLog().maxJobs());
        this.finishedChildrenInHeap = properties.readModel().finishedChildrenInHeap();
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

    /** Told about every child status transition, on the consumer thread: implementations must not block. */
    @FunctionalInterface
    public interface ChildListener {
        void onTransition(ChildTransition transition);
    }

    /** Told about every accepted parent snapshot, on the consumer thread: implementations must not block. */
    @FunctionalInterface
    public interface ParentListener {
        void onParentProgress(ParentProgress snapshot);

        /** The parent was deleted (a tombstone): its snapshot, children, documents and log are gone. */
        default void onParentRemoved(String parentId) {
        }
    }

    public Optional<ParentProgress> parent(String parentId) {
        return Optional.ofNullable(parents.get(parentId));
    }

    public Collection<ParentProgress> parents() {
        return List.copyOf(parents.values());
    }

    /** True when a parent snapshot, a child or a document of {@code parentId} is known. */
    public boolean knows(String parentId) {
        return parents.containsKey(parentId) || childrenByParent.containsKey(parentId)
                || evictedChildren.containsKey(parentId) || documentsByParent.containsKey(parentId);
    }

    /**
     * The children of {@code parentId} held as objects; an evicted job's are not among them (see
     * {@link #evictedChildPositions}, and {@link ChildStore} for the whole list).
     */
    public List<ChildProgress> heldChildren(String parentId) {
        Map<String, HeldChild> children = childrenByParent.get(parentId);
        return children == null ? List.of() : children.values().stream().map(HeldChild::progress).toList();
    }

    /** Where the records of an evicted job's children are ({@link ChildIndex#position}s); empty if none. */
    long[] evictedChildPositions(String parentId) {
        ChildIndex index = evictedChildren.get(parentId);
        return index == null ? new long[0] : index.positions();
    }

    /** True once the children of {@code parentId} are held only as an index. */
    public boolean childrenEvicted(String parentId) {
        return evictedChildren.containsKey(parentId);
    }

    /** Metadata of the documents of {@code parentId} (no Markdown). */
    public List<DocumentSaved> documents(String parentId) {
        Map<String, StoredDocument> docs = documentsByParent.get(parentId);
        return docs == null ? List.of() : docs.values().stream().map(StoredDocument::metadata).toList();
    }

    public Optional<StoredDocument> document(String documentId) {
        return Optional.ofNullable(documents.get(documentId));
    }

    /** The last {@code limit} child transitions of {@code parentId}, oldest first. */
    public List<ChildTransition> log(String parentId, int limit) {
        return jobLog.recent(parentId, limit);
    }

    /** Registers {@code listener} for child transitions; closing the returned handle removes it. */
    public AutoCloseable addChildListener(ChildListener listener) {
        childListeners.add(listener);
        return () -> childListeners.remove(listener);
    }

    /** Registers {@code listener}; closing the returned handle removes it. */
    public AutoCloseable addListener(ParentListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Completes with the first snapshot of {@code parentId} the read model holds (at once if it holds one). The
     * caller bounds the wait, and should cancel the future when it gives up so the waiter is dropped.
     */
    public CompletableFuture<ParentProgress> firstSnapshot(String parentId) {
        CompletableFuture<ParentProgress> future = new CompletableFuture<>();
        firstSnapshotWaiters.computeIfAbsent(parentId, id -> new CopyOnWriteArrayList<>()).add(future);
        future.whenComplete((snapshot, error) -> firstSnapshotWaiters.computeIfPresent(parentId, (id, waiting) -> {
            waiting.remove(future);
            return waiting.isEmpty() ? null : waiting;
        }));
        // registered before looking, so a snapshot arriving in between is not missed
        ParentProgress held = parents.get(parentId);
        if (held != null) {
            future.complete(held);
        }
        return future;
    }

    void applyParent(String parentId, ParentProgress snapshot) {
        if (snapshot == null) {
            removeParent(parentId);
            return;
        }
        boolean[] accepted = {false};
        parents.compute(parentId, (id, held) -> {
            if (held != null && held.version() >= snapshot.version()) {
                return held;
            }
            accepted[0] = true;
            return snapshot;
        });
        if (!accepted[0]) {
            return;
        }
        scheduleEviction(parentId, snapshot);
        List<CompletableFuture<ParentProgress>> waiting = firstSnapshotWaiters.get(parentId);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(snapshot));
        }
        for (ParentListener listener : listeners) {
            try {
                listener.onParentProgress(snapshot);
            } catch (RuntimeException e) {
                log.warn("parent listener {} failed on {} v{}", listener, parentId, snapshot.version(), e);
            }
        }
    }

    private void removeParent(String parentId) {
        boolean held = parents.remove(parentId) != null;
        Map<String, HeldChild> children = childrenByParent.remove(parentId);
        if (children != null) {
            children.keySet().forEach(childId -> parentOfChild.remove(childId, parentId));
        }
        ChildIndex evicted = evictedChildren.remove(parentId);
        evictionDue.remove(parentId);
        Map<String, StoredDocument> docs = documentsByParent.remove(parentId);
        if (docs != null) {
            docs.keySet().forEach(documentId -> documents.computeIfPresent(documentId,
                    (id, document) -> document.metadata().parentId().equals(parentId) ? null : document));
        }
        jobLog.forget(parentId);
        if (!held && children == null && evicted == null && docs == null) {
            return; // nothing was known of it: no one to tell
        }
        for (ParentListener listener : listeners) {
            try {
                listener.onParentRemoved(parentId);
            } catch (RuntimeException e) {
                log.warn("parent listener {} failed on the removal of {}", listener, parentId, e);
            }
        }
    }

    void applyChild(String childId, ChildProgress child, int partition, long offset) {
        if (child == null) {
            removeChild(childId);
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
                removeGrouped(childrenByParent, previousParent, childId);
            }
            HeldChild held = childrenByParent.computeIfAbsent(child.parentId(), id -> new ConcurrentHashMap<>())
                    .put(childId, new HeldChild(child, position));
            previous = held == null ? null : held.progress();
        }
        ChildTransition transition = jobLog.record(childId, previous, child);
        if (transition == null) {
            return;
        }
        for (ChildListener listener : childListeners) {
            try {
                listener.onTransition(transition);
            } catch (RuntimeException e) {
                log.warn("child listener {} failed on {}", listener, childId, e);
            }
        }
    }

    private void removeChild(String childId) {
        String parentId = parentOfChild.remove(childId);
        if (parentId != null) {
            removeGrouped(childrenByParent, parentId, childId);
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

    private void scheduleEviction(String parentId, ParentProgress snapshot) {
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

    /**
     * Evicts the children of the jobs that finished {@code finished-children-in-heap} before {@code now}: the
     * consumer calls it between polls.
     */
    void evictFinishedChildren(Instant now) {
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

    void applyDocument(String documentId, DocumentSaved saved, int partition, long offset) {
        StoredDocument document = saved == null ? null : StoredDocument.of(saved, partition, offset);
        StoredDocument previous = document == null ? documents.remove(documentId) : documents.put(documentId, document);
        if (previous != null && (document == null
                || !previous.metadata().parentId().equals(document.metadata().parentId()))) {
            removeGrouped(documentsByParent, previous.metadata().parentId(), documentId);
        }
        if (document != null) {
            documentsByParent.computeIfAbsent(saved.parentId(), id -> new ConcurrentHashMap<>())
                    .put(documentId, document);
        }
    }

    private static <V> void removeGrouped(Map<String, Map<String, V>> grouped, String parentId, String key) {
        grouped.computeIfPresent(parentId, (id, group) -> {
            group.remove(key);
            return group.isEmpty() ? null : group;
        });
    }
}

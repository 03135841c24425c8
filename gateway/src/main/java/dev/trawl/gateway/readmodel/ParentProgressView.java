package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ParentProgress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@code trawl.parent-progress} holds: the latest snapshot of each parent, and the callers waiting for a
 * parent's first one. A snapshot is accepted only when its version is higher than the one held, so readers see
 * versions strictly increase even if the topic holds a replayed or duplicated older snapshot. Written by the
 * {@link ReadModel} on the consumer thread, read by any thread.
 */
final class ParentProgressView {

    private final Map<String, ParentProgress> parents = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<ParentProgress>>> firstSnapshotWaiters = new ConcurrentHashMap<>();

    Optional<ParentProgress> parent(String parentId) {
        return Optional.ofNullable(parents.get(parentId));
    }

    Collection<ParentProgress> parents() {
        return List.copyOf(parents.values());
    }

    boolean knows(String parentId) {
        return parents.containsKey(parentId);
    }

    CompletableFuture<ParentProgress> firstSnapshot(String parentId) {
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

    /** Holds {@code snapshot} if it is newer than the one held, completing first-snapshot waiters; true if so. */
    boolean accept(String parentId, ParentProgress snapshot) {
        boolean[] accepted = {false};
        parents.compute(parentId, (id, held) -> {
            if (held != null && held.version() >= snapshot.version()) {
                return held;
            }
            accepted[0] = true;
            return snapshot;
        });
        if (accepted[0]) {
            List<CompletableFuture<ParentProgress>> waiting = firstSnapshotWaiters.get(parentId);
            if (waiting != null) {
                waiting.forEach(f -> f.complete(snapshot));
            }
        }
        return accepted[0];
    }

    /** Forgets the parent's snapshot (a tombstone); true if one was held. */
    boolean remove(String parentId) {
        return parents.remove(parentId) != null;
    }
}

package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.state.ChildState;
import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's children: the {@value ProgressTopology#CHILDREN_STORE} store (key {@code parentId/childId}), the
 * recently written children as objects in front of it, and the changes not yet published on
 * {@code trawl.child-progress}. Every write goes through to the store at once (exactly-once needs it there before
 * any commit); the object cache only saves deserialising what was just written.
 */
final class Children {

    /** Objects per task: a child's next event usually follows soon after its last one (scheduled, running, end). */
    private static final int CACHED_CHILDREN = 10_000;

    private final CachedStore<ChildState> store;
    /**
     * Children changed since their parent's last snapshot, latest state only: published with the parent's
     * snapshot, so a child that goes pending → running → completed within one interval is one record.
     */
    private final Map<String, Map<String, ChildState>> changes = new HashMap<>();
    /**
     * Parents published since this task (re)initialised. The first publication of any other parent re-sends all
     * its children: changes made before a crash or a move of the task were committed, but not their records.
     */
    private final Set<String> publishedSinceInit = new HashSet<>();

    Children(KeyValueStore<String, ChildState> store) {
        this.store = new CachedStore<>(store, CACHED_CHILDREN);
    }

    ChildState get(String parentId, String childId) {
        return store.get(ChildState.storeKey(parentId, childId));
    }

    /** Stores {@code child} of {@code parentId} and queues it for the parent's next publication. */
    void put(String parentId, ChildState child) {
        store.put(ChildState.storeKey(parentId, child.childId()), child);
        changes.computeIfAbsent(parentId, id -> new LinkedHashMap<>()).put(child.childId(), child);
    }

    /** The parent's children that are still pending. */
    List<ChildState> pendingOf(String parentId) {
        List<ChildState> pending = new ArrayList<>();
        try (KeyValueIterator<String, ChildState> it = scan(parentId)) {
            while (it.hasNext()) {
                ChildState child = it.next().value;
                if (child.status() == ChildStatus.PENDING) {
                    pending.add(child);
                }
            }
        }
        return pending;
    }

    /** Deletes every child of {@code parentId}; returns their ids (each needs a tombstone). */
    List<String> removeAllOf(String parentId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, ChildState> it = scan(parentId)) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        List<String> childIds = new ArrayList<>(keys.size());
        for (String key : keys) {
            store.delete(key);
            childIds.add(key.substring(key.indexOf('/') + 1));
        }
        changes.remove(parentId);
        return childIds;
    }

    /**
     * Hands {@code publish} the parent's children changed since its last publication, or all of them on its first
     * publication since the task started; {@code terminal} parents start over (a late change re-sends them once).
     */
    void publish(String parentId, boolean terminal, BiConsumer<String, ChildProgress> publish) {
        Map<String, ChildState> changed = changes.remove(parentId);
        if (publishedSinceInit.add(parentId)) {
            try (KeyValueIterator<String, ChildState> it = scan(parentId)) {
                while (it.hasNext()) {
                    ChildState child = it.next().value;
                    publish.accept(child.childId(), child.toProgress(parentId));
                }
            }
        } else if (changed != null) {
            for (ChildState child : changed.values()) {
                publish.accept(child.childId(), child.toProgress(parentId));
            }
        }
        if (terminal) {
            publishedSinceInit.remove(parentId); // bounded by the parents running now
        }
    }

    /** Forgets everything held in memory: the task (re)initialises, or an event failed half-way. */
    void clearMemory() {
        store.clearObjects();
        changes.clear();
        publishedSinceInit.clear();
    }

    /** Forgets the cached objects only: an event failed half-way, its writes are rolled back with the task. */
    void clearCache() {
        store.clearObjects();
    }

    private KeyValueIterator<String, ChildState> scan(String parentId) {
        return store.prefixScan(ChildState.storePrefix(parentId));
    }
}

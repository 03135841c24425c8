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
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's children: the {@value ProgressTopology#CHILDREN_STORE} store (key {@code parentId/childId}, a
 * {@link WriteBehindStore}) and the changes not yet published on {@code trawl.child-progress}.
 */
final class Children {

    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final KeyValueStore<String, ChildState> store;
    /**
     * Children changed since their parent's last snapshot, latest state only: published with the parent's
     * snapshot, so a child that goes pending → running → completed within one commit is one record.
     */
    private final Map<String, Map<String, ChildState>> changes = new HashMap<>();
    /**
     * Parents published or created since this task (re)initialised. The first publication of any other parent
     * re-sends all its children: changes made before a crash or a move of the task were committed, but not their
     * records.
     */
    private final Set<String> publishedSinceInit = new HashSet<>();

    Children(KeyValueStore<String, ChildState> store) {
        this.store = store;
    }

    KeyValueStore<String, ChildState> store() {
        return store;
    }

    ChildState get(String parentId, String childId) {
        return store.get(ChildState.storeKey(parentId, childId));
    }

    /** {@code parentId} is new: it has no children yet, so its first publication has none to re-send. */
    void created(String parentId) {
        publishedSinceInit.add(parentId);
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

    /** Forgets the unpublished changes: the task (re)initialises. */
    void clearMemory() {
        changes.clear();
        publishedSinceInit.clear();
    }

    private KeyValueIterator<String, ChildState> scan(String parentId) {
        return store.prefixScan(ChildState.storePrefix(parentId), PREFIX_SERIALIZER);
    }
}

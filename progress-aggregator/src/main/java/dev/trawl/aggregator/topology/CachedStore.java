package dev.trawl.aggregator.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store with its recently used values kept as objects in front of it, so the hot path does not
 * deserialise what it has just written. Every write goes through to the store at once (exactly-once needs it there
 * before any commit); the objects only save reads. The processor clears them whenever its task (re)initialises or
 * an event fails half-way.
 */
final class CachedStore<V> {

    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final KeyValueStore<String, V> store;
    private final Map<String, V> objects;

    CachedStore(KeyValueStore<String, V> store, int maxObjects) {
        this.store = store;
        this.objects = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxObjects;
            }
        };
    }

    V get(String key) {
        V value = objects.get(key);
        if (value == null) {
            value = store.get(key);
            if (value != null) {
                objects.put(key, value);
            }
        }
        return value;
    }

    void put(String key, V value) {
        store.put(key, value);
        objects.put(key, value);
    }

    void delete(String key) {
        store.delete(key);
        objects.remove(key);
    }

    /** The stored entries whose key starts with {@code prefix}, in key order; close the iterator. */
    KeyValueIterator<String, V> prefixScan(String prefix) {
        return store.prefixScan(prefix, PREFIX_SERIALIZER);
    }

    void clearObjects() {
        objects.clear();
    }
}

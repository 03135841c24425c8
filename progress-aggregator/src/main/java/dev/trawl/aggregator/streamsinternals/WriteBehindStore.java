package dev.trawl.aggregator.streamsinternals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorContextUtils;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The outermost layer of a key-value store: the task's recently used values kept as live objects, and every write
 * held as an object until Kafka Streams flushes the store's caches before a commit. Only then is a value serialised
 * and written to the layers below (metered, change-logging, RocksDB), once per key and commit however often it was
 * written. It replaces Streams' own record cache, which serialises on every write: the aggregator writes its parent
 * on every event and a child up to three times in a row, and serialising those was a third of its stream thread.
 *
 * <p>Exactly-once holds because Streams calls {@link #flushCache()} on every store of a task before it sends the
 * task's offsets and commits (its own caching layer relies on the same call), so a commit never covers an event
 * whose writes are still here; an aborted task closes its stores dirty and restores them from the changelog, and
 * what was here is dropped. A dirty value evicted by the size bound is written at once, under the record context
 * of its write. Iterators see every write: a range, prefix or full scan flushes first (scans are rare here).
 *
 * <p>This hooks into {@code org.apache.kafka.streams.state.internals.CachedStateStore} and sets record contexts
 * through {@code InternalProcessorContext}, as Streams' caching layer does: internal APIs, pinned with Kafka
 * 4.2.1. {@code WriteBehindStoreTest} fails if an upgrade stops flushing the caches before a commit; switched off
 * ({@code trawl.aggregator.streams-internals.write-behind-store=false}), the stores are Streams' caching stores.
 *
 * <p>Why over 300 lines: it implements the whole of {@code KeyValueStore} and {@code CachedStateStore} (a third of
 * the file is delegation to the layer below), and its write-behind rule is one invariant best read in one place.
 */
public final class WriteBehindStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

    /** A value held here: {@code context} is the record context of its unflushed write, null once flushed. */
    private static final class Entry<V> {
        V value; // null: deleted
        ProcessorRecordContext context;

        Entry(V value, ProcessorRecordContext context) {
            this.value = value;
            this.context = context;
        }
    }

    private final KeyValueStore<String, V> inner;
    private final Map<String, Entry<V>> objects;
    /** Entries written since the last flush, in write order. */
    private final Map<String, Entry<V>> dirty = new LinkedHashMap<>();
    private InternalProcessorContext<?, ?> context;

    private WriteBehindStore(KeyValueStore<String, V> inner, int maxObjects) {
        this.inner = inner;
        this.objects = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                if (size() <= maxObjects) {
                    return false;
                }
                if (dirty.remove(eldest.getKey()) != null) {
                    write(eldest.getKey(), eldest.getValue());
                }
                return true;
            }
        };
    }

    /**
     * A builder of {@code inner}'s store (logging on, Streams' caching off) wrapped in this layer, holding up to
     * {@code maxObjects} values per task.
     */
    public static <V> StoreBuilder<KeyValueStore<String, V>> builder(StoreBuilder<KeyValueStore<String, V>> inner,
                                                                int maxObjects) {
        StoreBuilder<KeyValueStore<String, V>> uncached = inner.withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
                throw new UnsupportedOperationException("this store is its own cache");
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
                uncached.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
                uncached.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<String, V> build() {
                return new WriteBehindStore<>(uncached.build(), maxObjects);
            }

            @Override
            public Map<String, String> logConfig() {
                return uncached.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return uncached.loggingEnabled();
            }

            @Override
            public String name() {
                return uncached.name();
            }
        };
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        this.context = ProcessorContextUtils.asInternalProcessorContext(stateStoreContext);
        objects.clear();
        dirty.clear();
        inner.init(stateStoreContext, root);
    }

    @Override
    public V get(String key) {
        Entry<V> entry = objects.get(key);
        if (entry != null) {
            return entry.value;
        }
        V value = inner.get(key);
        if (value != null) {
            objects.put(key, new Entry<>(value, null));
        }
        return value;
    }

    @Override
    public void put(String key, V value) {
        Entry<V> entry = objects.get(key);
        ProcessorRecordContext writeContext = context.recordContext();
        if (entry == null) {
            entry = new Entry<>(value, writeContext);
            objects.put(key, entry);
        } else {
            entry.value = value;
            entry.context = writeContext;
        }
        dirty.putIfAbsent(key, entry);
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        for (KeyValue<String, V> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    @Override
    public V delete(String key) {
        V current = get(key);
        put(key, null);
        return current;
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        flushWrites();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        flushWrites();
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        flushWrites();
        return inner.all();
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        flushWrites();
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS prefixKeySerializer) {
        flushWrites();
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries() + dirty.size();
    }

    /** Streams calls this on every store of a task before it commits the task. */
    @Override
    public void flushCache() {
        flushWrites();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    /** The task is closed dirty or revived: its unflushed writes are aborted with its transaction. */
    @Override
    public void clearCache() {
        objects.clear();
        dirty.clear();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void flush() {
        flushWrites();
        inner.flush();
    }

    @Override
    public void close() {
        objects.clear();
        dirty.clear();
        inner.close();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        flushWrites();
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    /** Writes every unflushed value to the layers below, each under the record context of its last write. */
    private void flushWrites() {
        if (dirty.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Entry<V>> write : dirty.entrySet()) { // writing below never touches this layer
            write(write.getKey(), write.getValue());
        }
        dirty.clear();
    }

    private void write(String key, Entry<V> entry) {
        ProcessorRecordContext current = context.recordContext();
        try {
            context.setRecordContext(entry.context);
            if (entry.value == null) {
                inner.delete(key);
            } else {
                inner.put(key, entry.value);
            }
        } finally {
            context.setRecordContext(current);
            entry.context = null;
        }
    }
}

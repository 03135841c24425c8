package dev.trawl.aggregator.frontier;

import dev.trawl.aggregator.state.ParentState;
import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One stream task's crawl frontier: the children a parent knows but has not handed to a worker yet (flow control
 * holds them back), and what the workers said of each host's politeness delay.
 *
 * <p>Stores (changelogged, so a restarted task goes on where it stopped):
 * <ul>
 *   <li>queue: {@code parentId/seq} (12 digits, discovery order) → {@code childId \t depth \t url};</li>
 *   <li>hosts: {@code parentId/host} → {@code delayMs \t inFlight}: the delay a worker reported ({@code -1} while
 *       none did) and the parent's tasks of that host in flight that were sent while its delay was not known to be
 *       zero.</li>
 * </ul>
 *
 * <p>Dispatch order: round robin over the parent's hosts, each host in discovery order (breadth first on one host).
 * Where a host's tasks go:
 * <ul>
 *   <li>a worker reported no delay: over {@code hostShards} task keys, so one big crawl uses every worker;</li>
 *   <li>a delay, or none reported yet: one task key (the host), so one worker at a time serves the host and its
 *       politeness holds across replicas; with a delay, at most {@code delayedHostInFlight} of the parent's tasks
 *       of the host are in flight, since more would only wait in one partition ahead of other jobs' tasks.</li>
 * </ul>
 * The in-memory view of a parent's queue and hosts is a cache of the stores, loaded on first use after the task
 * (re)initialised.
 *
 * <p>Why over 300 lines: the two stores and their in-memory view must change together on every call (the counts of
 * {@link ParentState} too), and one class is the unit that keeps them consistent.
 */
public final class CrawlFrontier {

    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();
    private static final long UNKNOWN = -1;

    /** A child to hand to a worker: where its task goes and over how many keys its host is spread. */
    public record Dispatch(String childId, String url, int depth, String taskKey, int hostShards, long hostDelayMs) {
    }

    private static final class Entry {
        final long seq;
        final String childId;
        final String url;
        final String host;
        final int depth;
        boolean taken;

        Entry(long seq, String childId, String url, String host, int depth) {
            this.seq = seq;
            this.childId = childId;
            this.url = url;
            this.host = host;
            this.depth = depth;
        }
    }

    private static final class Host {
        long delayMs = UNKNOWN;
        long inFlight;

        /** Tasks sent while the delay is not known to be zero are counted, so the count is right once it is known. */
        boolean tracked() {
            return delayMs != 0;
        }

        boolean capped() {
            return delayMs > 0;
        }
    }

    private static final class Queue {
        final Map<String, ArrayDeque<Entry>> byHost = new HashMap<>();
        /** Hosts with queued entries that may dispatch, in round-robin order. */
        final ArrayDeque<String> rotation = new ArrayDeque<>();
        /** Hosts with queued entries at their in-flight cap. */
        final Set<String> blocked = new HashSet<>();
        final Map<String, Entry> byChild = new HashMap<>();

        void add(Entry e) {
            ArrayDeque<Entry> entries = byHost.get(e.host);
            if (entries == null) {
                entries = new ArrayDeque<>();
                byHost.put(e.host, entries);
                rotation.addLast(e.host);
            }
            entries.addLast(e);
            byChild.put(e.childId, e);
        }
    }

    private final KeyValueStore<String, String> queueStore;
    private final KeyValueStore<String, String> hostStore;
    private final int hostShards;
    private final int delayedHostInFlight;
    private final Map<String, Queue> queues = new HashMap<>();
    private final Map<String, Map<String, Host>> hosts = new HashMap<>();

    public CrawlFrontier(KeyValueStore<String, String> queueStore, KeyValueStore<String, String> hostStore,
                         int hostShards, int delayedHostInFlight) {
        this.queueStore = queueStore;
        this.hostStore = hostStore;
        this.hostShards = hostShards;
        this.delayedHostInFlight = delayedHostInFlight;
    }

    /** Queues a newly scheduled child of {@code parent} (its {@code queued} count goes up). */
    public void enqueue(ParentState parent, String childId, String url, String host, int depth) {
        Queue queue = queue(parent);
        long seq = parent.nextQueueSeq();
        queueStore.put(queueKey(parent.id(), seq), childId + "\t" + depth + "\t" + url);
        queue.add(new Entry(seq, childId, url, host, depth));
        parent.queuedOne();
    }

    /**
     * Takes the next child of {@code parent} that may go to a worker now, or null when every queued host is at its
     * cap (or nothing is queued). The parent's {@code queued} count goes down, its in-flight count up.
     */
    public Dispatch next(ParentState parent) {
        if (parent.queued() == 0) {
            return null;
        }
        Queue queue = queue(parent);
        for (int tries = queue.rotation.size(); tries > 0; tries--) {
            String hostName = queue.rotation.pollFirst();
            ArrayDeque<Entry> entries = queue.byHost.get(hostName);
            dropTaken(entries);
            if (entries == null || entries.isEmpty()) {
                queue.byHost.remove(hostName);
                continue;
            }
            Host host = host(parent.id(), hostName);
            if (host.capped() && host.inFlight >= delayedHostInFlight) {
                queue.blocked.add(hostName);
                continue;
            }
            Entry entry = entries.pollFirst();
            dropTaken(entries);
            if (entries.isEmpty()) {
                queue.byHost.remove(hostName);
            } else {
                queue.rotation.addLast(hostName);
            }
            take(parent, queue, entry);
            parent.dispatchedOne();
            if (host.tracked()) {
                host.inFlight++;
                parent.trackedOne(+1);
                saveHost(parent.id(), hostName, host);
            }
            boolean spread = host.delayMs == 0 && hostShards > 1;
            return new Dispatch(entry.childId, entry.url, entry.depth,
                    Ids.hostShardKey(hostName, entry.childId, spread ? hostShards : 1), spread ? hostShards : 1,
                    host.delayMs);
        }
        return null;
    }

    /**
     * A worker reported on {@code childId} while it was still queued (a task from before a restore, or a test):
     * it leaves the queue and counts as in flight. @return whether it was queued
     */
    public boolean takeIfQueued(ParentState parent, String childId) {
        if (parent.queued() == 0) {
            return false;
        }
        Queue queue = queue(parent);
        Entry entry = queue.byChild.get(childId);
        if (entry == null) {
            return false;
        }
        take(parent, queue, entry);
        parent.dispatchedOne();
        return true;
    }

    /** The ids of {@code parent}'s queued children (not handed to a worker), in no particular order. */
    public List<String> queuedChildIds(ParentState parent) {
        return parent.queued() == 0 ? List.of() : new ArrayList<>(queue(parent).byChild.keySet());
    }

    /** A child of {@code parent} that was in flight ended: its host may take another task. */
    public void finished(ParentState parent, String url) {
        if (parent.trackedInFlight() <= 0 || url == null) {
            return; // nothing of a host with a delay (or an unknown one) is in flight: no need to parse the URL
        }
        String hostName = UrlNormalizer.host(url);
        if (hostName == null) {
            return;
        }
        Host host = hosts(parent.id()).get(hostName);
        if (host == null || host.inFlight <= 0) {
            return;
        }
        host.inFlight--;
        parent.trackedOne(-1);
        saveHost(parent.id(), hostName, host);
        unblock(parent, hostName);
    }

    /** A worker applies {@code delayMs} between requests to {@code hostName}. */
    public void hostDelay(ParentState parent, String hostName, long delayMs) {
        Host host = host(parent.id(), hostName);
        long delay = Math.max(0, delayMs);
        if (host.delayMs == delay) {
            return;
        }
        host.delayMs = delay;
        saveHost(parent.id(), hostName, host);
        if (!host.capped()) {
            unblock(parent, hostName);
        }
    }

    /** The delay workers reported for {@code hostName}, -1 while none did. */
    public long delayOf(String parentId, String hostName) {
        Host host = hosts(parentId).get(hostName);
        return host == null ? UNKNOWN : host.delayMs;
    }

    /** Drops everything {@code parent} holds here: it stops scheduling (cancel, stop_all) or ended. */
    public void forget(ParentState parent) {
        Queue loaded = queues.get(parent.id());
        if (loaded != null) {
            // the in-memory view holds exactly the stored entries: no scan of the store needed
            loaded.byChild.values().forEach(entry -> queueStore.delete(queueKey(parent.id(), entry.seq)));
        } else if (parent.queued() > 0) {
            for (String key : keysWithPrefix(queueStore, parent.id() + "/")) {
                queueStore.delete(key);
            }
        }
        queues.remove(parent.id());
        parent.queueCleared();
        for (String key : keysWithPrefix(hostStore, parent.id() + "/")) {
            hostStore.delete(key);
        }
        hosts.remove(parent.id());
    }

    /** Parents with queued children, as the queue store holds them (after a restore, for their dispatch retries). */
    public Set<String> parentsWithQueue() {
        Set<String> parents = new LinkedHashSet<>();
        try (KeyValueIterator<String, String> it = queueStore.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                parents.add(key.substring(0, key.indexOf('/')));
            }
        }
        return parents;
    }

    /** Forgets the in-memory views: the task (re)initialises. */
    public void clearMemory() {
        queues.clear();
        hosts.clear();
    }

    private void take(ParentState parent, Queue queue, Entry entry) {
        entry.taken = true;
        queue.byChild.remove(entry.childId);
        queueStore.delete(queueKey(parent.id(), entry.seq));
        if (queue.byChild.isEmpty()) {
            queues.remove(parent.id());
        }
    }

    private void unblock(ParentState parent, String hostName) {
        Queue queue = queues.get(parent.id());
        if (queue != null && queue.blocked.remove(hostName)) {
            queue.rotation.addLast(hostName);
        }
    }

    private static void dropTaken(ArrayDeque<Entry> entries) {
        while (entries != null && !entries.isEmpty() && entries.peekFirst().taken) {
            entries.pollFirst();
        }
    }

    private Queue queue(ParentState parent) {
        Queue queue = queues.get(parent.id());
        if (queue != null) {
            return queue;
        }
        queue = new Queue();
        if (parent.queued() > 0) {
            try (KeyValueIterator<String, String> it = queueStore.prefixScan(parent.id() + "/", PREFIX_SERIALIZER)) {
                while (it.hasNext()) {
                    KeyValue<String, String> kv = it.next();
                    String[] parts = kv.value.split("\t", 3);
                    long seq = Long.parseLong(kv.key.substring(kv.key.indexOf('/') + 1));
                    queue.add(new Entry(seq, parts[0], parts[2], UrlNormalizer.host(parts[2]),
                            Integer.parseInt(parts[1])));
                }
            }
        }
        queues.put(parent.id(), queue);
        return queue;
    }

    private Map<String, Host> hosts(String parentId) {
        Map<String, Host> known = hosts.get(parentId);
        if (known == null) {
            known = new HashMap<>();
            try (KeyValueIterator<String, String> it = hostStore.prefixScan(parentId + "/", PREFIX_SERIALIZER)) {
                while (it.hasNext()) {
                    KeyValue<String, String> kv = it.next();
                    String[] parts = kv.value.split("\t", 2);
                    Host host = new Host();
                    host.delayMs = Long.parseLong(parts[0]);
                    host.inFlight = Long.parseLong(parts[1]);
                    known.put(kv.key.substring(kv.key.indexOf('/') + 1), host);
                }
            }
            hosts.put(parentId, known);
        }
        return known;
    }

    private Host host(String parentId, String hostName) {
        return hosts(parentId).computeIfAbsent(hostName, h -> new Host());
    }

    private void saveHost(String parentId, String hostName, Host host) {
        hostStore.put(parentId + "/" + hostName, host.delayMs + "\t" + host.inFlight);
    }

    private static List<String> keysWithPrefix(KeyValueStore<String, String> store, String prefix) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.prefixScan(prefix, PREFIX_SERIALIZER)) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        return keys;
    }

    /** {@code parentId/seq}, the sequence number zero-padded to 12 digits so keys sort in discovery order. */
    private static String queueKey(String parentId, long seq) {
        return String.format("%s/%012d", parentId, seq);
    }
}

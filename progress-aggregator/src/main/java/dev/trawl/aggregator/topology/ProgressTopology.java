package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.state.ChildState;
import dev.trawl.aggregator.state.ChildStateCodec;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.aggregator.streamsinternals.CommitHook;
import dev.trawl.aggregator.streamsinternals.CommitPacing;
import dev.trawl.aggregator.streamsinternals.StreamsInternals;
import dev.trawl.aggregator.streamsinternals.WriteBehindStore;
import dev.trawl.api.serde.JsonSerde;
import dev.trawl.api.topic.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's topology: the event-sourced state of every job.
 *
 * <p>Input: {@code trawl.job-events} (key parent id, value {@code JobEvent}): submissions, cancellations, child
 * status changes and discovered links, so one task sees a parent's whole history in order.
 *
 * <p>Outputs:
 * <ul>
 *   <li>{@code trawl.crawl-tasks} (key host shard, value {@code CrawlTask}): children handed to the workers, as
 *       many as the flow control's window allows (the others wait in the frontier);</li>
 *   <li>{@code trawl.parent-progress} (key parent id, value {@code ParentProgress}): versioned snapshots;</li>
 *   <li>{@code trawl.child-progress} (key child id, value {@code ChildProgress}): each child's state;</li>
 *   <li>{@code trawl.dead-letters} (key parent id bytes, value the event's JSON): events that cannot apply.</li>
 * </ul>
 *
 * <p>Stores (changelogged): {@value #PARENTS_STORE} (parent id → aggregate), {@value #CHILDREN_STORE}
 * (parent id/child id → child state: the frontier's dedupe set), {@value #DIRTY_STORE} (parents whose
 * snapshot is due), {@value #FINISHED_STORE} (finish time/parent id → parent id: finished parents whose
 * children's state is kept until the retention passes), {@value #FRONTIER_STORE} and {@value #HOSTS_STORE} (the
 * children held back by flow control, and the hosts' politeness delays: see
 * {@link dev.trawl.aggregator.frontier.CrawlFrontier}).
 */
public final class ProgressTopology {

    public static final String SOURCE = "job-events-source";
    public static final String PROCESSOR = "job-event-processor";
    public static final String TASKS_SINK = "crawl-tasks-sink";
    public static final String PARENT_PROGRESS_SINK = "parent-progress-sink";
    public static final String CHILD_PROGRESS_SINK = "child-progress-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";

    public static final String PARENTS_STORE = "trawl-parents";
    public static final String CHILDREN_STORE = "trawl-children";
    public static final String DIRTY_STORE = "trawl-dirty-parents";
    public static final String FINISHED_STORE = "trawl-finished-parents";
    public static final String FRONTIER_STORE = "trawl-frontier";
    public static final String HOSTS_STORE = "trawl-frontier-hosts";
    /** Not a store: the processor publishes its due snapshots through it right before each commit. */
    static final String COMMIT_HOOK = "trawl-commit-hook";

    /**
     * Parents and children kept as objects per task: the hot path neither deserialises what it just wrote nor
     * serialises every write (a child's next event usually follows soon after its last: scheduled, running, end).
     */
    private static final int CACHED_VALUES = 10_000;

    /**
     * @param snapshotInterval      how often a wall-clock punctuation publishes due snapshots that no commit
     *                              published (a due-set restored after a crash, with no event to process): every
     *                              commit publishes its due snapshots itself, right before it commits
     * @param hostShards            over how many task keys one host's URLs are spread
     * @param childRetention        how long after a parent finished its per-child state is kept; then it is
     *                              removed (tombstones on {@code trawl.child-progress}), the parent snapshot stays
     * @param retentionScanInterval how often finished parents are checked against {@code childRetention}
     * @param flow                  the window of children in flight (see {@link FlowControl})
     * @param internals             which workarounds of Kafka Streams internals are on (see {@link StreamsInternals})
     */
    public record Settings(Duration snapshotInterval, int hostShards, Duration childRetention,
                           Duration retentionScanInterval, FlowControl.Settings flow, StreamsInternals internals) {

        public Settings(Duration snapshotInterval, int hostShards, Duration childRetention,
                        Duration retentionScanInterval) {
            this(snapshotInterval, hostShards, childRetention, retentionScanInterval, FlowControl.Settings.defaults());
        }

        /** With every workaround of Streams internals on. */
        public Settings(Duration snapshotInterval, int hostShards, Duration childRetention,
                        Duration retentionScanInterval, FlowControl.Settings flow) {
            this(snapshotInterval, hostShards, childRetention, retentionScanInterval, flow,
                    StreamsInternals.defaults());
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), 4, Duration.ofDays(7), Duration.ofMinutes(1));
        }

        public Settings withChildRetention(Duration retention, Duration scanInterval) {
            return new Settings(snapshotInterval, hostShards, retention, scanInterval, flow, internals);
        }

        public Settings withFlow(FlowControl.Settings flowSettings) {
            return new Settings(snapshotInterval, hostShards, childRetention, retentionScanInterval, flowSettings,
                    internals);
        }

        public Settings withStreamsInternals(StreamsInternals switches) {
            return new Settings(snapshotInterval, hostShards, childRetention, retentionScanInterval, flow, switches);
        }
    }

    private ProgressTopology() {
    }

    /** The topology with Streams' {@code commit.interval.ms} alone deciding when to commit. */
    public static Topology build(Settings settings) {
        return build(settings, CommitPacing.off());
    }

    /** The topology, with processors that ask for commits as {@code pacing} says. */
    public static Topology build(Settings settings, CommitPacing pacing) {
        return build(settings, pacing, new FlowControl(settings.flow()));
    }

    /** The topology, its processors sharing {@code flow}: one window for every task of the instance. */
    @SuppressWarnings("unchecked")
    public static Topology build(Settings settings, CommitPacing pacing, FlowControl flow) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Topics.JOB_EVENTS.valueSerde().deserializer(),
                Topics.JOB_EVENTS.name());
        // pacing needs the commit hook to know when a commit ended; switched off, Streams' commit interval decides
        CommitPacing paced = settings.internals().pacesCommits() ? pacing : CommitPacing.off();
        topology.addProcessor(PROCESSOR, () -> new JobEventProcessor(settings, paced, flow), SOURCE);
        topology.addStateStore(objectStore(settings.internals(), Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PARENTS_STORE), Serdes.String(), new JsonSerde<>(ParentState.class))),
                PROCESSOR);
        topology.addStateStore(objectStore(settings.internals(), Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CHILDREN_STORE), Serdes.String(),
                new JsonSerde<>(ChildState.class, ChildStateCodec.INSTANCE))), PROCESSOR);
        if (settings.internals().commitHook()) {
            topology.addStateStore(CommitHook.builder(COMMIT_HOOK), PROCESSOR);
        }
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DIRTY_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FINISHED_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        // a queued child is usually dispatched within the commit that queued it: the cache keeps that off RocksDB
        // and the changelog
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FRONTIER_STORE),
                Serdes.String(), Serdes.String()).withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOSTS_STORE),
                Serdes.String(), Serdes.String()).withCachingEnabled(), PROCESSOR);
        topology.addSink(TASKS_SINK, Topics.CRAWL_TASKS.name(), Serdes.String().serializer(),
                (Serializer<Object>) (Serializer<?>) Topics.CRAWL_TASKS.valueSerde().serializer(), PROCESSOR);
        topology.addSink(PARENT_PROGRESS_SINK, Topics.PARENT_PROGRESS.name(), Serdes.String().serializer(),
                (Serializer<Object>) (Serializer<?>) Topics.PARENT_PROGRESS.valueSerde().serializer(), PROCESSOR);
        topology.addSink(CHILD_PROGRESS_SINK, Topics.CHILD_PROGRESS.name(), Serdes.String().serializer(),
                (Serializer<Object>) (Serializer<?>) Topics.CHILD_PROGRESS.valueSerde().serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTERS.name(), Serdes.String().serializer(),
                (Serializer<Object>) (Serializer<?>) Topics.JOB_EVENTS.valueSerde().serializer(), PROCESSOR);
        return topology;
    }

    /**
     * A store written on every event (parents, children): live objects in front of it, so the many writes of one
     * key within a commit interval are serialised and reach the changelog once; with the write-behind store switched
     * off, Streams' record cache (which serialises every write).
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> objectStore(StreamsInternals internals,
                                                                          StoreBuilder<KeyValueStore<String, V>> store) {
        return internals.writeBehindStore() ? WriteBehindStore.builder(store, CACHED_VALUES) : store.withCachingEnabled();
    }
}

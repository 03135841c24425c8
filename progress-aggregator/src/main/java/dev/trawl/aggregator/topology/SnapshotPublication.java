package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.state.ParentState;
import dev.trawl.aggregator.streamsinternals.CommitHook;
import dev.trawl.api.event.ParentProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Versioned, coalesced snapshots. A changed parent is marked due in {@value ProgressTopology#DIRTY_STORE}; a
 * publication sends one {@link ParentProgress} per due parent with {@code version + 1}, and with it the parent's
 * children changed since its last one (see {@link Children#publish}). The due-set is a store, so it commits
 * atomically with the state it describes (exactly-once): a crash can never leave a committed change without its
 * snapshot.
 *
 * <p>When: right before each commit, through a {@link CommitHook}, so a snapshot commits in the transaction of the
 * events it counts and becomes readable at the first commit after them. With the hook switched off (Streams' public
 * route), a wall-clock punctuation every {@code commit.interval.ms} publishes instead, and the snapshots commit with
 * the next commit. Either way a slower punctuation publishes what no commit would: a due-set restored after a
 * crash, when no event arrives.
 */
final class SnapshotPublication {

    private final ProcessorContext<String, Object> context;
    private final KeyValueStore<String, ParentState> parents;
    private final Children children;
    private final KeyValueStore<String, Long> dirty;
    /** Parents already in the due-set since its last publication: saves a store write per event. */
    private final Set<String> markedDue = new HashSet<>();
    /**
     * The due-set may hold parents this instance did not mark: what it restored from the changelog. Until the first
     * publication has scanned it, that is; after it, the due-set holds exactly {@link #markedDue}.
     */
    private boolean restoredDue = true;
    private CommitHook hook;

    SnapshotPublication(ProcessorContext<String, Object> context, KeyValueStore<String, ParentState> parents,
                        Children children, KeyValueStore<String, Long> dirty) {
        this.context = context;
        this.parents = parents;
        this.children = children;
        this.dirty = dirty;
    }

    /**
     * Schedules the publications: before each commit through the store {@code hookStore} names (null: the hook is
     * switched off, a punctuation every {@code commit.interval.ms} instead), and every {@code snapshotInterval}.
     * {@code written} are the other stores a publication may write through their caches: the hook flushes them
     * after it, so what it wrote commits with it.
     */
    void start(String hookStore, Duration snapshotInterval, StateStore... written) {
        if (hookStore != null) {
            hook = context.getStateStore(hookStore);
            hook.beforeCommit(context, () -> {
                // the hook runs once for every task of the thread in each commit: scan the due-set only if it can
                // hold something
                if (mayHaveDue()) {
                    publishDue();
                }
                CommitHook.flushCaches(parents, children.store(), dirty);
                CommitHook.flushCaches(written);
            });
        } else {
            context.schedule(Duration.ofMillis(commitIntervalMs()), PunctuationType.WALL_CLOCK_TIME, now -> {
                if (mayHaveDue()) {
                    publishDue();
                }
            });
        }
        context.schedule(snapshotInterval, PunctuationType.WALL_CLOCK_TIME, now -> publishDue());
    }

    private long commitIntervalMs() {
        return Long.parseLong(String.valueOf(context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
    }

    /** The parent changed: its snapshot is due at the next publication. */
    void markDue(String parentId) {
        if (markedDue.add(parentId)) {
            dirty.put(parentId, 1L);
        }
    }

    /** Whether the due-set can hold anything, without scanning it. */
    private boolean mayHaveDue() {
        return restoredDue || !markedDue.isEmpty();
    }

    /** Publishes one snapshot per parent changed since the last run. */
    void publishDue() {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = dirty.all()) {
            while (it.hasNext()) {
                due.add(it.next().key);
            }
        }
        restoredDue = false;
        for (String parentId : due) {
            dirty.delete(parentId);
            markedDue.remove(parentId);
            ParentState parent = parents.get(parentId);
            if (parent == null) {
                continue;
            }
            var snapshot = parent.nextSnapshot();
            parents.put(parentId, parent);
            long now = context.currentSystemTimeMs();
            children.publish(parentId, parent.status().isTerminal(), (childId, progress) -> context.forward(
                    new Record<>(childId, progress, now), ProgressTopology.CHILD_PROGRESS_SINK));
            context.forward(new Record<>(parentId, snapshot, now), ProgressTopology.PARENT_PROGRESS_SINK);
        }
    }

    /** The task (re)initialises: the due-set may hold what an earlier owner marked. */
    void clearMemory() {
        markedDue.clear();
        restoredDue = true;
    }

    /** The processor closes: nothing is published before a commit any more (the due-set stays for the next owner). */
    void stop() {
        if (hook != null) {
            hook.disarm();
        }
    }
}

package dev.trawl.aggregator.streamsinternals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorContextUtils;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing: it lets a processor act right before each commit of its task. Kafka Streams
 * flushes the caches of every store of a task before it commits (that is where its own caching layer forwards and
 * writes), and this store runs the processor's action there, in the processor's scope, so what the action
 * forwards and writes commits in the same transaction as the records just processed.
 *
 * <p>The aggregator publishes its due snapshots here: a status event's snapshot becomes readable at the first
 * commit after it, instead of waiting for a snapshot punctuation and then for a commit, and a parent gets at most
 * one snapshot per commit. Internal API ({@code CachedStateStore}, {@code InternalProcessorContext}), as in
 * {@link WriteBehindStore}: {@code StreamsInternalsContractTest} fails if an upgrade stops running it before each
 * commit, in its processor's scope; switched off ({@code trawl.aggregator.streams-internals.commit-hook=false}), a
 * punctuation publishes the snapshots instead.
 *
 * <p><b>One flush for all the thread's tasks.</b> Streams prepares a commit task by task: it flushes one task's
 * caches, then waits for the producer to have every record sent so far acknowledged, then the next task. Were each
 * task's writes made only in its own flush, a commit would wait for one broker round trip per task (six, with
 * {@code trawl.job-events}' six partitions on one thread). So the first hook that runs in a commit runs the actions
 * of every armed hook of its stream thread, each in its own task's scope: all their records go out together, the
 * first wait covers them all, and the other tasks' flushes find nothing left to send. This is what a processor that
 * wrote through during processing would have done: under {@code exactly_once_v2} the thread's tasks share one
 * transaction, and a task with writes since the last commit has processed records since then, so the commit
 * includes its offsets.
 */
public final class CommitHook implements StateStore, CachedStateStore<Void, Void> {

    /** The armed hooks of each stream thread (a task's processor is initialised on the thread that runs it). */
    private static final ThreadLocal<Set<CommitHook>> ARMED = ThreadLocal.withInitial(
            () -> Collections.synchronizedSet(new LinkedHashSet<>()));
    /**
     * The calling stream thread's commits: how many it prepared (the hooks run then), how many of those a
     * processor has noticed since, and when it noticed the last (wall-clock ms): right after that commit ended.
     */
    private static final ThreadLocal<long[]> COMMITS = ThreadLocal.withInitial(() -> new long[3]);

    private final String name;
    private Set<CommitHook> group;
    private boolean open;
    private InternalProcessorContext<?, ?> context;
    private ProcessorNode<?, ?, ?, ?> node;
    private Runnable action;

    private CommitHook(String name) {
        this.name = name;
    }

    public static StoreBuilder<CommitHook> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitHook> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("nothing to log");
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitHook build() {
                return new CommitHook(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** Runs {@code action} before each commit of the task, as if from a punctuation of {@code processor}. */
    public void beforeCommit(ProcessorContext<?, ?> processor, Runnable action) {
        this.context = ProcessorContextUtils.asInternalProcessorContext(processor);
        this.node = context.currentNode(); // the processor's node, during its init
        this.action = action;
        this.group = ARMED.get();
        group.add(this);
    }

    /** Flushes the caches of {@code stores} (before a commit: what the action wrote must commit with it). */
    public static void flushCaches(StateStore... stores) {
        for (StateStore store : stores) {
            if (store instanceof CachedStateStore<?, ?> cached) {
                cached.flushCache();
            }
        }
    }

    /**
     * Milliseconds since the calling stream thread's last commit ended, as a processor sees it at {@code nowMs} (its
     * record's or punctuation's wall-clock time); counted from the end, as Streams counts its commit interval, so a
     * long commit is not followed at once by the next while the broker still writes the last one's markers.
     */
    static long msSinceLastCommit(long nowMs) {
        long[] commits = COMMITS.get();
        if (commits[0] != commits[1]) { // the first look since a commit: it has ended by now
            commits[1] = commits[0];
            commits[2] = nowMs;
        }
        return nowMs - commits[2];
    }

    @Override
    public void flushCache() {
        if (action == null) {
            return;
        }
        long[] commits = COMMITS.get();
        if (commits[0] == commits[1]) { // the first hook of this commit
            commits[0]++;
        }
        List<CommitHook> armed;
        synchronized (group) {
            armed = new ArrayList<>(group);
        }
        for (CommitHook hook : armed) {
            hook.run();
        }
    }

    /** Runs the action in its processor's scope. */
    private void run() {
        if (action == null || !open) {
            return;
        }
        ProcessorNode<?, ?, ?, ?> previousNode = context.currentNode();
        ProcessorRecordContext previousRecord = context.recordContext();
        long now = context.currentSystemTimeMs();
        try {
            context.setRecordContext(new ProcessorRecordContext(now, -1L, -1, null, new RecordHeaders()));
            context.setCurrentNode(node);
            action.run();
        } finally {
            context.setCurrentNode(previousNode);
            context.setRecordContext(previousRecord);
        }
    }

    /** The processor closes: from now on, nothing runs before a commit (its due-set stays for the next owner). */
    public void disarm() {
        action = null;
        if (group != null) {
            group.remove(this);
        }
    }

    /** Streams recycles the task (active to standby): a standby must not publish. */
    @Override
    public void clearCache() {
        disarm();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Void, Void> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        stateStoreContext.register(root, (key, value) -> {
        });
        open = true;
    }

    @Override
    public void flush() {
        // nothing held
    }

    @Override
    public void close() {
        open = false;
        disarm();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}

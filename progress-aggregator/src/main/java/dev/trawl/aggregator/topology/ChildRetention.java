package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.state.ParentState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of per-child state: a finished parent is indexed in {@value ProgressTopology#FINISHED_STORE} by its
 * finish time, and once it finished longer ago than the retention its children are deleted from
 * {@value ProgressTopology#CHILDREN_STORE} with a tombstone each on {@code trawl.child-progress} (so the gateway's
 * children views and the compacted topic shrink too). The parent aggregate and its last snapshot stay.
 */
final class ChildRetention {

    private static final Logger log = LoggerFactory.getLogger(ChildRetention.class);

    private final ProcessorContext<String, Object> context;
    private final KeyValueStore<String, ParentState> parents;
    private final Children children;
    private final KeyValueStore<String, String> finished;
    private final Duration retention;

    ChildRetention(ProcessorContext<String, Object> context, KeyValueStore<String, ParentState> parents,
                   Children children, KeyValueStore<String, String> finished, Duration retention) {
        this.context = context;
        this.parents = parents;
        this.children = children;
        this.finished = finished;
        this.retention = retention;
    }

    /** A terminal parent is stored: its children's state is kept until the retention has passed. */
    void ended(ParentState parent) {
        if (!parent.childrenRemoved()) {
            finished.putIfAbsent(finishedKey(parent), parent.id());
        }
    }

    /** Index key of a finished parent: its finish time first, so a range scan finds those past the retention. */
    static String finishedKey(ParentState parent) {
        return String.format("%020d/%s", parent.finishedAt().toEpochMilli(), parent.id());
    }

    /**
     * Removes the per-child state of parents finished longer ago than the retention (store entries deleted,
     * tombstones on {@code trawl.child-progress}); the parent and its last snapshot stay.
     */
    void removeExpired(long nowMillis) {
        String upTo = String.format("%020d/", nowMillis - retention.toMillis());
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> it = finished.range(String.format("%020d/", 0L), upTo)) {
            while (it.hasNext()) {
                expired.add(it.next());
            }
        }
        for (KeyValue<String, String> entry : expired) {
            String parentId = entry.value;
            List<String> removed = children.removeAllOf(parentId);
            for (String childId : removed) {
                context.forward(new Record<>(childId, null, nowMillis), ProgressTopology.CHILD_PROGRESS_SINK);
            }
            ParentState parent = parents.get(parentId);
            if (parent != null) {
                parent.childrenRemoved(true);
                parents.put(parentId, parent);
            }
            finished.delete(entry.key);
            log.info("removed the state of {} children of {}, finished before the retention", removed.size(),
                    parentId);
        }
    }
}

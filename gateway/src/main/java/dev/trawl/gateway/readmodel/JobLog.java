package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent child status transitions of each job, bounded twice: the last {@code size} per job, for at most
 * {@code maxJobs} jobs (the job whose log changed least recently is forgotten first). Built from
 * {@code trawl.child-progress}: a record whose status or attempt differs from the child's previous one is a
 * transition. After a restart the compacted topic holds only each child's latest state, so a rebuilt log shows
 * where each child ended rather than every step it took.
 */
final class JobLog {

    private static final class Entries {
        final ArrayDeque<ChildTransition> recent = new ArrayDeque<>();
        long seq;
    }

    private final int size;
    private final Map<String, Entries> byJob;

    JobLog(int size, int maxJobs) {
        this.size = size;
        this.byJob = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entries> eldest) {
                return size() > maxJobs;
            }
        };
    }

    /** Appends the transition {@code current} makes from {@code previous} (null: a new child), if it is one. */
    synchronized ChildTransition record(String childId, ChildProgress previous, ChildProgress current) {
        if (previous != null && previous.status() == current.status() && previous.attempt() == current.attempt()) {
            return null;
        }
        Entries entries = byJob.computeIfAbsent(current.parentId(), id -> new Entries());
        ChildTransition transition = ChildTransition.of(++entries.seq, childId, current);
        entries.recent.addLast(transition);
        if (entries.recent.size() > size) {
            entries.recent.removeFirst();
        }
        return transition;
    }

    /** The last {@code limit} transitions of {@code jobId}, oldest first. */
    synchronized List<ChildTransition> recent(String jobId, int limit) {
        Entries entries = byJob.get(jobId);
        if (entries == null) {
            return List.of();
        }
        List<ChildTransition> all = List.copyOf(entries.recent);
        return all.subList(Math.max(0, all.size() - limit), all.size());
    }

    synchronized void forget(String jobId) {
        byJob.remove(jobId);
    }
}

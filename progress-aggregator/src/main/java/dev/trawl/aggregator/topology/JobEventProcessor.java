package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.frontier.CrawlFrontier;
import dev.trawl.aggregator.frontier.CrawlScope;
import dev.trawl.aggregator.state.ChildState;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.aggregator.streamsinternals.CommitHook;
import dev.trawl.aggregator.streamsinternals.CommitPacing;
import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobSealed;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.event.ProgressReported;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.FailureAction;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@link JobEvent} at a time to its parent's aggregate: the child state machine, the crawl frontier,
 * error tolerance, cancellation and honest completion. Snapshots are not sent per event: a changed parent is
 * marked due in {@value ProgressTopology#DIRTY_STORE}, and right before each commit (through {@link CommitHook})
 * one snapshot per due parent is published, in the transaction of the events it counts. The due-set is a store, so
 * it commits atomically with the state it describes (exactly-once): a crash can never leave a committed change
 * without its snapshot.
 */
final class JobEventProcessor implements Processor<String, JobEvent, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(JobEventProcessor.class);
    private final ProgressTopology.Settings settings;
    private final CommitPacing pacing;
    private final FlowControl flow;
    /** Crawl parents with queued children: retried every dispatch interval, when the window may have opened. */
    private final Set<String> waiting = new LinkedHashSet<>();
    /** Parents this task counts in {@link #flow}: released when the task closes (it may move to another instance). */
    private final Set<String> inFlow = new HashSet<>();
    /** Compiled scopes are a cache: rebuilt from the stored spec after a restart. */
    private final Map<String, CrawlScope> scopes = new HashMap<>();
    /** Parents already in the due-set since its last publication: saves a store write per event. */
    private final Set<String> markedDue = new HashSet<>();
    /**
     * The due-set may hold parents this instance did not mark: what it restored from the changelog. Until the first
     * publication has scanned it, that is; after it, the due-set holds exactly {@link #markedDue}.
     */
    private boolean restoredDue;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ParentState> parents;
    private Children children;
    private KeyValueStore<String, Long> dirty;
    private KeyValueStore<String, String> finished;
    private CommitHook hook;
    private CrawlFrontier frontier;
    private KeyValueStore<String, String> frontierQueue;
    private KeyValueStore<String, String> frontierHosts;

    JobEventProcessor(ProgressTopology.Settings settings, CommitPacing pacing, FlowControl flow) {
        this.settings = settings;
        this.pacing = pacing;
        this.flow = flow;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.parents = context.getStateStore(ProgressTopology.PARENTS_STORE);
        this.children = new Children(context.getStateStore(ProgressTopology.CHILDREN_STORE));
        this.dirty = context.getStateStore(ProgressTopology.DIRTY_STORE);
        this.finished = context.getStateStore(ProgressTopology.FINISHED_STORE);
        this.frontierQueue = context.getStateStore(ProgressTopology.FRONTIER_STORE);
        this.frontierHosts = context.getStateStore(ProgressTopology.HOSTS_STORE);
        this.frontier = new CrawlFrontier(frontierQueue, frontierHosts, settings.hostShards(),
                flow.settings().delayedHostInFlight());
        clearCaches();
        waiting.addAll(frontier.parentsWithQueue()); // restored: their dispatch goes on where it stopped
        // due snapshots are published right before each commit, and commit with the events they count; a stores
        // flush then writes what the publication changed. The punctuation publishes what no commit would (the
        // due-set restored after a crash, when no event arrives).
        hook = context.getStateStore(ProgressTopology.COMMIT_HOOK);
        hook.beforeCommit(context, () -> {
            // the hook runs once for every task of the thread in each commit: scan the due-set only if it can hold
            // something
            if (restoredDue || !markedDue.isEmpty()) {
                publishDueSnapshots();
            }
            CommitHook.flushCaches(parents, children.store(), dirty, frontierQueue, frontierHosts);
        });
        context.schedule(settings.snapshotInterval(), PunctuationType.WALL_CLOCK_TIME, now -> publishDueSnapshots());
        context.schedule(settings.retentionScanInterval(), PunctuationType.WALL_CLOCK_TIME,
                this::removeExpiredChildren);
        context.schedule(flow.settings().dispatchInterval(), PunctuationType.WALL_CLOCK_TIME, this::dispatchWaiting);
        if (pacing.enabled()) {
            // the last events of a burst: no next event asks for their commit
            context.schedule(pacing.interval(), PunctuationType.WALL_CLOCK_TIME,
                    now -> pacing.maybeRequestCommit(context));
        }
    }

    @Override
    public void process(Record<String, JobEvent> record) {
        apply(record);
        pacing.maybeRequestCommit(context);
    }

    /**
     * Retries the parents whose queued children the window held back (children of other parents, maybe of other
     * tasks, finished since), and lets the flow control adjust its limit.
     */
    private void dispatchWaiting(long nowMillis) {
        flow.tick(nowMillis);
        if (waiting.isEmpty()) {
            return;
        }
        boolean dispatched = false;
        for (String parentId : List.copyOf(waiting)) {
            ParentState parent = parents.get(parentId);
            if (parent == null || !parent.isCrawl() || parent.queued() == 0 || !parent.acceptsNewChildren()) {
                waiting.remove(parentId);
                continue;
            }
            long before = parent.inFlight();
            dispatch(parent);
            if (parent.inFlight() != before) {
                dispatched = true;
                store(parent);
            }
        }
        if (dispatched) {
            pacing.maybeRequestCommit(context);
        }
    }

    /** Hands queued children of {@code parent} to the workers, as many as its share of the window allows. */
    private void dispatch(ParentState parent) {
        long room = flow.room(parent.id(), parent.inFlight(), parent.handedOut());
        if (room > 0) {
            long now = context.currentSystemTimeMs();
            Instant at = Instant.ofEpochMilli(now);
            for (; room > 0; room--) {
                CrawlFrontier.Dispatch next = frontier.next(parent);
                if (next == null) {
                    break;
                }
                CrawlTask task = new CrawlTask(parent.id(), next.childId(), next.url(), next.depth(), 1,
                        next.hostShards(), at, next.hostDelayMs());
                context.forward(new Record<>(next.taskKey(), task, now), ProgressTopology.TASKS_SINK);
            }
        }
        if (parent.queued() > 0) {
            waiting.add(parent.id());
        } else {
            waiting.remove(parent.id());
        }
    }

    private void apply(Record<String, JobEvent> record) {
        JobEvent event = record.value();
        if (event == null || event.parentId() == null || event.timestamp() == null) {
            deadLetter(record.key(), event, "event without parent id or timestamp");
            return;
        }
        if (!event.parentId().equals(record.key())) {
            deadLetter(record.key(), event, "record key " + record.key() + " is not the event's parent id");
            return;
        }
        Optional<String> invalid = invalidEvent(event);
        if (invalid.isPresent()) {
            deadLetter(record.key(), event, invalid.get());
            return;
        }
        if (event instanceof JobSubmitted submitted) {
            onSubmitted(submitted);
            return;
        }
        if (event instanceof JobStarted started) {
            onStarted(started);
            return;
        }
        ParentState parent = parents.get(event.parentId());
        if (parent == null) {
            deadLetter(record.key(), event, "unknown parent " + event.parentId());
            return;
        }
        if (event instanceof ChildStatusChanged change) {
            onStatusChanged(parent, change, record.timestamp());
        } else if (event instanceof LinksDiscovered links) {
            onLinksDiscovered(parent, links);
        } else if (event instanceof CancelRequested cancel) {
            onCancelRequested(parent, cancel);
        } else if (event instanceof ChildAdded added) {
            onChildAdded(parent, added);
        } else if (event instanceof ProgressReported reported) {
            parent.reportActivity(reported.detail(), reported.timestamp());
            parent.touch(reported.timestamp());
            save(parent);
        } else if (event instanceof JobSealed sealed) {
            onSealed(parent, sealed);
        } else if (event instanceof HostDelayObserved delay) {
            onHostDelay(parent, delay);
        }
    }

    private void onStarted(JobStarted started) {
        if (parents.get(started.parentId()) != null) {
            return; // redelivered
        }
        children.created(started.parentId());
        save(ParentState.generic(started.parentId(), started.jobType(), started.name(), started.timestamp()));
    }

    private void onChildAdded(ParentState parent, ChildAdded added) {
        if (parent.isCrawl() || !parent.acceptsNewChildren() || parent.isSealed()
                || children.get(parent.id(), added.childId()) != null) {
            return; // crawl children come from links; a sealed, ended or known child is not added again
        }
        ChildState child = ChildState.pending(added.childId(), added.name(), 0, added.timestamp());
        children.put(parent.id(), child);
        parent.childScheduled(added.timestamp());
        parent.touch(added.timestamp());
        save(parent);
    }

    private void onSealed(ParentState parent, JobSealed sealed) {
        if (parent.status().isTerminal() || parent.isCrawl()) {
            return;
        }
        parent.seal(sealed.failure());
        parent.touch(sealed.timestamp());
        if (sealed.failure() != null) {
            cancelPendingChildren(parent, sealed.timestamp());
        }
        completeIfDone(parent, sealed.timestamp());
        save(parent);
    }

    private void onSubmitted(JobSubmitted submitted) {
        String parentId = submitted.parentId();
        if (parents.get(parentId) != null) {
            return; // a redelivered submission: the job exists already
        }
        children.created(parentId);
        CrawlSpec spec = submitted.spec();
        ParentState parent = new ParentState(parentId, spec, submitted.timestamp());
        Optional<String> invalid = invalidSpec(spec);
        if (invalid.isPresent()) {
            parent.warn(invalid.get());
            parent.finish(JobStatus.FAILED, submitted.timestamp());
            save(parent);
            return;
        }
        for (String seed : spec.seeds()) {
            UrlNormalizer.normalize(seed).ifPresent(url -> schedule(parent, url, UrlNormalizer.host(url), 0,
                    submitted.timestamp()));
        }
        if (parent.total() == 0) {
            parent.warn("no valid seed URL");
            parent.finish(JobStatus.FAILED, submitted.timestamp());
        }
        save(parent);
    }

    private void onLinksDiscovered(ParentState parent, LinksDiscovered links) {
        if (!parent.isCrawl()) {
            deadLetter(parent.id(), links, "links_discovered for a " + parent.jobType() + " job, not a crawl");
            return;
        }
        parent.touch(links.timestamp());
        int depth = links.depth() + 1;
        if (parent.acceptsNewChildren() && depth <= parent.spec().maxDepth()) {
            CrawlScope scope = scopeOf(parent);
            for (String url : links.urls()) {
                Optional<String> normalised = UrlNormalizer.normalize(url);
                if (normalised.isPresent()) {
                    String host = UrlNormalizer.host(normalised.get()); // parsed once for the scope and the shard
                    if (scope.allows(normalised.get(), host)) {
                        schedule(parent, normalised.get(), host, depth, links.timestamp());
                    }
                }
            }
        }
        save(parent);
    }

    private void onHostDelay(ParentState parent, HostDelayObserved delay) {
        if (!parent.isCrawl() || parent.status().isTerminal()) {
            return;
        }
        frontier.hostDelay(parent, delay.host(), delay.delayMs());
        save(parent);
    }

    private void onStatusChanged(ParentState parent, ChildStatusChanged change, long sentAtMillis) {
        ChildState child = children.get(parent.id(), change.childId());
        if (child == null) {
            deadLetter(parent.id(), change, parent.childrenRemoved()
                    ? "late event for child " + change.childId() + " of a finished parent whose child state was removed"
                    : "unknown child " + change.childId());
            return;
        }
        if (!advances(child, change)) {
            return; // duplicate, replay or an older attempt: never moves a child backwards
        }
        Instant at = change.timestamp();
        ChildState next = child.withStatus(change.status(), Math.max(child.attempt(), change.attempt()),
                change.reason(), change.reasonClass(), change.httpStatus(), change.documentId(), at);
        if (change.status() == ChildStatus.FAILED && next.reason() == null) {
            next = next.withStatus(ChildStatus.FAILED, next.attempt(), "failed without a reason", ReasonClass.ERROR,
                    next.httpStatus(), null, at);
        }
        children.put(parent.id(), next);
        parent.touch(at);
        if (parent.isCrawl() && child.status() == ChildStatus.PENDING) {
            frontier.takeIfQueued(parent, child.childId()); // a worker has it, whatever the frontier thought
        }
        if (child.status() != next.status()) {
            parent.childMoved(child.status(), next.status(), at);
        }
        if (next.status().isTerminal()) {
            flow.folded(sentAtMillis, context.currentSystemTimeMs());
            if (parent.isCrawl()) {
                parent.finishedInFlight();
                frontier.finished(parent, child.url());
            }
        }
        if (next.status() == ChildStatus.COMPLETED && next.documentId() != null) {
            parent.documentSaved(change.bytes());
        } else if (next.status() == ChildStatus.FAILED && next.reasonClass() == ReasonClass.ERROR) {
            parent.errorFailure();
            applyErrorTolerance(parent, at);
        }
        completeIfDone(parent, at);
        save(parent);
    }

    private void onCancelRequested(ParentState parent, CancelRequested cancel) {
        if (parent.status().isTerminal()) {
            return;
        }
        parent.requestCancel();
        parent.touch(cancel.timestamp());
        cancelPendingChildren(parent, cancel.timestamp());
        completeIfDone(parent, cancel.timestamp());
        save(parent);
    }

    /**
     * Whether {@code change} moves {@code child} forward: terminal states are final, an older attempt is stale,
     * and within an attempt only a higher rank counts ({@code pending < running < terminal}).
     */
    static boolean advances(ChildState child, ChildStatusChanged change) {
        if (child.status().isTerminal() || change.attempt() < child.attempt()) {
            return false;
        }
        if (change.status() == ChildStatus.PENDING) {
            return false;
        }
        return change.status().rank() > child.status().rank() || change.attempt() > child.attempt();
    }

    private void applyErrorTolerance(ParentState parent, Instant at) {
        var tolerance = parent.tolerance();
        if (!tolerance.exceededBy(parent.errorFailures())) {
            return;
        }
        String why = parent.errorFailures() + " children failed, more than max_child_failures "
                + tolerance.maxChildFailures();
        if (tolerance.failureAction() == FailureAction.STOP_ALL) {
            if (!parent.isStopping()) {
                parent.stopAll(why);
                cancelPendingChildren(parent, at);
            }
        } else if (tolerance.failureAction() == FailureAction.MARK_WARNING) {
            parent.warn(why);
        }
    }

    /** Ends the parent once nothing is pending or running. Links arrive before their child's end, so none wait. */
    private void completeIfDone(ParentState parent, Instant at) {
        if (parent.status().isTerminal() || parent.hasOutstandingChildren() || !parent.isSealed()) {
            return;
        }
        var tolerance = parent.tolerance();
        JobStatus terminal;
        if (parent.isStopping() || parent.failure() != null) {
            terminal = JobStatus.FAILED;
        } else if (parent.isCancelRequested()) {
            terminal = JobStatus.CANCELLED;
        } else if (tolerance.exceededBy(parent.errorFailures())
                && tolerance.failureAction() == FailureAction.CONTINUE) {
            terminal = JobStatus.COMPLETED_WITH_FAILURES;
        } else {
            terminal = JobStatus.COMPLETED;
        }
        parent.finish(terminal, at);
        if (parent.isCrawl()) {
            frontier.forget(parent);
        }
    }

    /**
     * Cancels what has not started: a generic job's pending children, a crawl's queued ones. A crawl's children
     * already handed to a worker stay pending until the worker reports them: it skips those it has not started once
     * it sees the parent stopping (reported {@code cancelled}), and a page it already fetched ends as it ended, its
     * document counted, so {@code document_count} stays the number of documents saved for the job.
     */
    private void cancelPendingChildren(ParentState parent, Instant at) {
        if (!parent.isCrawl()) {
            children.pendingOf(parent.id()).forEach(child -> cancel(parent, child, at));
            return;
        }
        // the queue holds exactly the children not handed out; a scan of all children would visit every one
        for (String childId : frontier.queuedChildIds(parent)) {
            ChildState child = children.get(parent.id(), childId);
            if (child != null && child.status() == ChildStatus.PENDING) {
                cancel(parent, child, at);
            }
        }
        frontier.forget(parent);
    }

    private void cancel(ParentState parent, ChildState child, Instant at) {
        children.put(parent.id(), child.withStatus(ChildStatus.CANCELLED, child.attempt(), "cancelled", null, null,
                null, at));
        parent.childMoved(ChildStatus.PENDING, ChildStatus.CANCELLED, at);
    }

    /** Schedules the normalised {@code url} as a child unless it is known already or {@code max_pages} is reached. */
    private void schedule(ParentState parent, String url, String host, int depth, Instant at) {
        String childId = Ids.childIdOfNormalized(parent.id(), url);
        if (children.get(parent.id(), childId) != null) {
            return; // the frontier's dedupe: this page is a child already
        }
        if (!parent.hasRoomForChildren()) {
            parent.droppedByMaxPages();
            return;
        }
        ChildState child = ChildState.pending(childId, url, depth, at);
        children.put(parent.id(), child);
        parent.childScheduled(at);
        frontier.enqueue(parent, childId, url, host, depth); // dispatched when the window allows (see save)
    }

    private CrawlScope scopeOf(ParentState parent) {
        return scopes.computeIfAbsent(parent.id(), id -> CrawlScope.of(parent.spec()));
    }

    /** What makes an event impossible to apply, checked before anything is changed. */
    private static Optional<String> invalidEvent(JobEvent event) {
        if (event instanceof ChildStatusChanged change) {
            if (change.childId() == null || change.status() == null) {
                return Optional.of("invalid child_status_changed: child_id and status are required");
            }
            if (change.attempt() < 0) {
                return Optional.of("invalid child_status_changed: attempt must be >= 0");
            }
        } else if (event instanceof LinksDiscovered links) {
            if (links.childId() == null || links.depth() < 0) {
                return Optional.of("invalid links_discovered: child_id and a depth >= 0 are required");
            }
        } else if (event instanceof JobStarted started && (started.jobType() == null || started.jobType().isBlank())) {
            return Optional.of("invalid job_started: job_type is required");
        } else if (event instanceof ChildAdded added && added.childId() == null) {
            return Optional.of("invalid child_added: child_id is required");
        } else if (event instanceof ProgressReported reported && reported.detail() == null) {
            return Optional.of("invalid progress_reported: detail is required");
        } else if (event instanceof HostDelayObserved delay
                && (delay.host() == null || delay.host().isBlank() || delay.delayMs() < 0)) {
            return Optional.of("invalid host_delay_observed: a host and a delay_ms >= 0 are required");
        }
        return Optional.empty();
    }

    private static Optional<String> invalidSpec(CrawlSpec spec) {
        if (spec == null) {
            return Optional.of("invalid job: no spec");
        }
        if (spec.seeds().isEmpty()) {
            return Optional.of("invalid job: seeds is empty");
        }
        if (spec.maxPages() < 1) {
            return Optional.of("invalid job: max_pages must be at least 1");
        }
        if (spec.maxDepth() < 0) {
            return Optional.of("invalid job: max_depth must be at least 0");
        }
        try {
            CrawlScope.of(spec);
        } catch (IllegalArgumentException e) {
            return Optional.of("invalid job: " + e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        hook.disarm();
        clearCaches();
    }

    private void clearCaches() {
        inFlow.forEach(flow::release);
        inFlow.clear();
        waiting.clear();
        frontier.clearMemory();
        children.clearMemory();
        markedDue.clear();
        restoredDue = true;
        scopes.clear();
    }

    /** Stores {@code parent} after an event changed it, first handing out what its share of the window allows. */
    private void save(ParentState parent) {
        if (parent.isCrawl() && parent.queued() > 0 && parent.acceptsNewChildren()) {
            dispatch(parent);
        }
        store(parent);
    }

    /** Stores {@code parent}, tells the flow control what it holds and marks its snapshot due. */
    private void store(ParentState parent) {
        if (parent.isCrawl()) {
            boolean queued = parent.queued() > 0 && parent.acceptsNewChildren();
            if (queued || parent.inFlight() > 0) {
                inFlow.add(parent.id());
                flow.update(parent.id(), parent.inFlight(), queued, parent.handedOut());
            } else if (inFlow.remove(parent.id())) {
                flow.release(parent.id());
            }
        }
        parents.put(parent.id(), parent);
        if (markedDue.add(parent.id())) {
            dirty.put(parent.id(), 1L);
        }
        if (parent.status().isTerminal()) {
            scopes.remove(parent.id());
            if (!parent.childrenRemoved()) {
                finished.putIfAbsent(finishedKey(parent), parent.id());
            }
        }
    }

    /** Index key of a finished parent: its finish time first, so a range scan finds those past the retention. */
    private static String finishedKey(ParentState parent) {
        return String.format("%020d/%s", parent.finishedAt().toEpochMilli(), parent.id());
    }

    /**
     * Removes the per-child state of parents finished longer ago than the retention (store entries deleted,
     * tombstones on {@code trawl.child-progress}); the parent and its last snapshot stay.
     */
    private void removeExpiredChildren(long nowMillis) {
        String upTo = String.format("%020d/", nowMillis - settings.childRetention().toMillis());
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

    /** Publishes one snapshot per parent changed since the last run. */
    private void publishDueSnapshots() {
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

    private void deadLetter(String key, JobEvent event, String reason) {
        log.warn("dead letter on {}: {}", Topics.JOB_EVENTS.name(), reason);
        var meta = context.recordMetadata();
        var headers = DeadLetters.headers(null, reason, Topics.JOB_EVENTS.name(),
                meta.map(m -> m.partition()).orElse(-1), meta.map(m -> m.offset()).orElse(-1L), "progress-aggregator");
        context.forward(new Record<>(key, (Object) event, context.currentSystemTimeMs(), headers),
                ProgressTopology.DEAD_LETTER_SINK);
    }
}

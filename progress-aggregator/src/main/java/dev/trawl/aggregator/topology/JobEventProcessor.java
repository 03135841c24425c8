package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.frontier.CrawlFrontier;
import dev.trawl.aggregator.lifecycle.ChildTransitions;
import dev.trawl.aggregator.lifecycle.ParentLifecycle;
import dev.trawl.aggregator.state.ChildState;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.aggregator.streamsinternals.CommitPacing;
import dev.trawl.aggregator.validation.EventValidation;
import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSealed;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ProgressReported;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@link JobEvent} at a time to its parent's aggregate: validates it ({@link EventValidation}), hands
 * it to the handler of its type, and stores what changed. The rooms it dispatches to: the child state machine and
 * the parent's lifecycle and error tolerance ({@link ChildTransitions}, {@link ParentLifecycle}), crawl scheduling
 * and flow control ({@link CrawlScheduler}, {@link CrawlFrontier}), {@link Cancellation}, snapshot publication
 * ({@link SnapshotPublication}) and the retention of child state ({@link ChildRetention}).
 *
 * <p>Snapshots are not sent per event: a changed parent is marked due, and one snapshot per due parent is
 * published right before each commit ({@link SnapshotPublication}), in the transaction of the events it counts.
 *
 * <p>Why a little over 300 lines: it holds one handler per event type (eight), each a short sequence of calls into
 * the rooms above. The order of those calls (child, counts, frontier, tolerance, completion, store) is what exact
 * counts and honest completion rest on, and one place to read it in is worth more than a smaller file.
 */
final class JobEventProcessor implements Processor<String, JobEvent, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(JobEventProcessor.class);
    private final ProgressTopology.Settings settings;
    private final CommitPacing pacing;
    private final FlowControl flow;
    /** {@link #store}, made once: the dispatch punctuation hands it every parent that handed out children. */
    private final Consumer<ParentState> storeParent = this::store;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ParentState> parents;
    private Children children;
    private CrawlFrontier frontier;
    private CrawlScheduler scheduler;
    private SnapshotPublication publication;
    private ChildRetention retention;
    private Cancellation cancellation;

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
        KeyValueStore<String, Long> dirty = context.getStateStore(ProgressTopology.DIRTY_STORE);
        KeyValueStore<String, String> frontierQueue = context.getStateStore(ProgressTopology.FRONTIER_STORE);
        KeyValueStore<String, String> frontierHosts = context.getStateStore(ProgressTopology.HOSTS_STORE);
        this.frontier = new CrawlFrontier(frontierQueue, frontierHosts, settings.hostShards(),
                flow.settings().delayedHostInFlight());
        this.scheduler = new CrawlScheduler(context, flow, frontier, children);
        this.cancellation = new Cancellation(children, frontier);
        this.publication = new SnapshotPublication(context, parents, children, dirty);
        this.retention = new ChildRetention(context, parents, children,
                context.getStateStore(ProgressTopology.FINISHED_STORE), settings.childRetention());
        clearCaches();
        scheduler.restored();
        publication.start(settings.internals().commitHook() ? ProgressTopology.COMMIT_HOOK : null,
                settings.snapshotInterval(), frontierQueue, frontierHosts);
        context.schedule(settings.retentionScanInterval(), PunctuationType.WALL_CLOCK_TIME, retention::removeExpired);
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
     * Retries the parents whose queued children the window held back, and lets the flow control adjust its limit.
     */
    private void dispatchWaiting(long nowMillis) {
        flow.tick(nowMillis);
        if (scheduler.dispatchWaiting(parents, storeParent)) {
            pacing.maybeRequestCommit(context);
        }
    }

    private void apply(Record<String, JobEvent> record) {
        JobEvent event = record.value();
        String invalid = EventValidation.invalidRecord(record.key(), event);
        if (invalid != null) {
            deadLetter(record.key(), event, invalid);
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

    private void onSubmitted(JobSubmitted submitted) {
        String parentId = submitted.parentId();
        if (parents.get(parentId) != null) {
            return; // a redelivered submission: the job exists already
        }
        children.created(parentId);
        ParentState parent = new ParentState(parentId, submitted.spec(), submitted.timestamp());
        String invalid = EventValidation.invalidSpec(submitted.spec());
        if (invalid != null) {
            parent.warn(invalid);
            parent.finish(JobStatus.FAILED, submitted.timestamp());
            save(parent);
            return;
        }
        scheduler.scheduleSeeds(parent, submitted.spec().seeds(), submitted.timestamp());
        if (parent.total() == 0) {
            parent.warn("no valid seed URL");
            parent.finish(JobStatus.FAILED, submitted.timestamp());
        }
        save(parent);
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
            cancellation.cancelNotStarted(parent, sealed.timestamp());
        }
        completeIfDone(parent, sealed.timestamp());
        save(parent);
    }

    private void onLinksDiscovered(ParentState parent, LinksDiscovered links) {
        if (!parent.isCrawl()) {
            deadLetter(parent.id(), links, "links_discovered for a " + parent.jobType() + " job, not a crawl");
            return;
        }
        parent.touch(links.timestamp());
        scheduler.scheduleLinks(parent, links);
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
        if (!ChildTransitions.advances(child, change)) {
            return; // duplicate, replay or an older attempt: never moves a child backwards
        }
        Instant at = change.timestamp();
        ChildState next = ChildTransitions.next(child, change);
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
            if (ParentLifecycle.applyErrorTolerance(parent)) {
                cancellation.cancelNotStarted(parent, at); // stop_all tripped
            }
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
        cancellation.cancelNotStarted(parent, cancel.timestamp());
        completeIfDone(parent, cancel.timestamp());
        save(parent);
    }

    /** Ends the parent once nothing is pending or running; a crawl's frontier forgets it. */
    private void completeIfDone(ParentState parent, Instant at) {
        if (ParentLifecycle.finishIfDone(parent, at) && parent.isCrawl()) {
            frontier.forget(parent);
        }
    }

    @Override
    public void close() {
        publication.stop();
        clearCaches();
    }

    private void clearCaches() {
        scheduler.clearMemory();
        frontier.clearMemory();
        children.clearMemory();
        publication.clearMemory();
    }

    /** Stores {@code parent} after an event changed it, first handing out what its share of the window allows. */
    private void save(ParentState parent) {
        if (parent.isCrawl() && parent.queued() > 0 && parent.acceptsNewChildren()) {
            scheduler.dispatch(parent);
        }
        store(parent);
    }

    /** Stores {@code parent}, tells the flow control what it holds and marks its snapshot due. */
    private void store(ParentState parent) {
        if (parent.isCrawl()) {
            scheduler.report(parent);
        }
        parents.put(parent.id(), parent);
        publication.markDue(parent.id());
        if (parent.status().isTerminal()) {
            scheduler.ended(parent.id());
            retention.ended(parent);
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

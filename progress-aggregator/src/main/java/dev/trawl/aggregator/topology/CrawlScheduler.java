package dev.trawl.aggregator.topology;

import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.aggregator.frontier.CrawlFrontier;
import dev.trawl.aggregator.frontier.CrawlScope;
import dev.trawl.aggregator.state.ChildState;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's crawl scheduling: which discovered URLs become children (scope, depth, dedupe, {@code max_pages}),
 * and when a queued child is handed to a worker as a {@link CrawlTask} (the {@link FlowControl} window and the
 * parent's share of it). The queue itself is the {@link CrawlFrontier}'s.
 */
final class CrawlScheduler {

    private final ProcessorContext<String, Object> context;
    private final FlowControl flow;
    private final CrawlFrontier frontier;
    private final Children children;
    /** Crawl parents with queued children: retried every dispatch interval, when the window may have opened. */
    private final Set<String> waiting = new LinkedHashSet<>();
    /** Parents this task counts in {@link #flow}: released when the task closes (it may move to another instance). */
    private final Set<String> inFlow = new HashSet<>();
    /** Compiled scopes are a cache: rebuilt from the stored spec after a restart. */
    private final Map<String, CrawlScope> scopes = new HashMap<>();

    CrawlScheduler(ProcessorContext<String, Object> context, FlowControl flow, CrawlFrontier frontier,
                   Children children) {
        this.context = context;
        this.flow = flow;
        this.frontier = frontier;
        this.children = children;
    }

    /** The task (re)starts: its restored parents with queued children go on dispatching where they stopped. */
    void restored() {
        waiting.addAll(frontier.parentsWithQueue());
    }

    /** Schedules a new crawl's seeds at depth 0. */
    void scheduleSeeds(ParentState parent, List<String> seeds, Instant at) {
        for (String seed : seeds) {
            UrlNormalizer.normalize(seed).ifPresent(url -> schedule(parent, url, UrlNormalizer.host(url), 0, at));
        }
    }

    /** Schedules the links a child at {@code links.depth()} found, if the parent still takes children. */
    void scheduleLinks(ParentState parent, LinksDiscovered links) {
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
        frontier.enqueue(parent, childId, url, host, depth); // dispatched when the window allows (see dispatch)
    }

    private CrawlScope scopeOf(ParentState parent) {
        return scopes.computeIfAbsent(parent.id(), id -> CrawlScope.of(parent.spec()));
    }

    /** Hands queued children of {@code parent} to the workers, as many as its share of the window allows. */
    void dispatch(ParentState parent) {
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

    /**
     * Retries the parents whose queued children the window held back (children of other parents, maybe of other
     * tasks, finished since); {@code store} gets each parent that handed out children. Returns whether any did.
     */
    boolean dispatchWaiting(KeyValueStore<String, ParentState> parents, Consumer<ParentState> store) {
        if (waiting.isEmpty()) {
            return false;
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
                store.accept(parent);
            }
        }
        return dispatched;
    }

    /** Tells the flow control what a crawl parent about to be stored holds: its children in flight and queued. */
    void report(ParentState parent) {
        boolean queued = parent.queued() > 0 && parent.acceptsNewChildren();
        if (queued || parent.inFlight() > 0) {
            inFlow.add(parent.id());
            flow.update(parent.id(), parent.inFlight(), queued, parent.handedOut());
        } else if (inFlow.remove(parent.id())) {
            flow.release(parent.id());
        }
    }

    /** The parent ended: its scope is not needed any more. */
    void ended(String parentId) {
        scopes.remove(parentId);
    }

    /** Forgets what is held in memory (the task closes or restarts) and releases this task's share of the window. */
    void clearMemory() {
        inFlow.forEach(flow::release);
        inFlow.clear();
        waiting.clear();
        scopes.clear();
    }
}

package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.GatewayProperties;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The gateway's in-memory view of the compacted topics, one part per topic: {@link ParentProgressView} (latest
 * snapshot per parent), {@link ChildProgressView} (latest state per child, each job's log, eviction of finished
 * jobs' children) and {@link DocumentsView} (saved documents' metadata). Only {@link ReadModelConsumer} writes it
 * (one thread); request and push threads read it concurrently. This class is what callers see, and it holds what
 * spans the parts: a parent's tombstone removes the parent with everything held for it (its children, documents
 * and log) and tells the {@link ParentListener}s; records of it that arrive later are held again.
 *
 * <p>Every client fed from {@link ParentListener}s sees versions strictly increase: a snapshot older than the one
 * held is not accepted, so listeners are not told about it.
 */
@Component
public class ReadModel {

    private static final Logger log = LoggerFactory.getLogger(ReadModel.class);

    private final ParentProgressView parents = new ParentProgressView();
    private final ChildProgressView children;
    private final DocumentsView documents = new DocumentsView();
    private final List<ParentListener> listeners = new CopyOnWriteArrayList<>();

    public ReadModel(GatewayProperties properties) {
        this.children = new ChildProgressView(new JobLog(properties.jobLog().size(), properties.jobLog().maxJobs()),
                properties.readModel().finishedChildrenInHeap());
    }

    /** Told about every child status transition, on the consumer thread: implementations must not block. */
    @FunctionalInterface
    public interface ChildListener {
        void onTransition(ChildTransition transition);
    }

    /** Told about every accepted parent snapshot, on the consumer thread: implementations must not block. */
    @FunctionalInterface
    public interface ParentListener {
        void onParentProgress(ParentProgress snapshot);

        /** The parent was deleted (a tombstone): its snapshot, children, documents and log are gone. */
        default void onParentRemoved(String parentId) {
        }
    }

    public Optional<ParentProgress> parent(String parentId) {
        return parents.parent(parentId);
    }

    public Collection<ParentProgress> parents() {
        return parents.parents();
    }

    /** True when a parent snapshot, a child or a document of {@code parentId} is known. */
    public boolean knows(String parentId) {
        return parents.knows(parentId) || children.knows(parentId) || documents.knows(parentId);
    }

    /**
     * The children of {@code parentId} held as objects; an evicted job's are not among them (see
     * {@link #evictedChildPositions}, and {@link ChildStore} for the whole list).
     */
    public List<ChildProgress> heldChildren(String parentId) {
        return children.heldChildren(parentId);
    }

    /** Where the records of an evicted job's children are ({@link ChildIndex#position}s); empty if none. */
    long[] evictedChildPositions(String parentId) {
        return children.evictedChildPositions(parentId);
    }

    /** True once the children of {@code parentId} are held only as an index. */
    public boolean childrenEvicted(String parentId) {
        return children.childrenEvicted(parentId);
    }

    /** Metadata of the documents of {@code parentId} (no Markdown). */
    public List<DocumentSaved> documents(String parentId) {
        return documents.documents(parentId);
    }

    public Optional<StoredDocument> document(String documentId) {
        return documents.document(documentId);
    }

    /** The last {@code limit} child transitions of {@code parentId}, oldest first. */
    public List<ChildTransition> log(String parentId, int limit) {
        return children.log(parentId, limit);
    }

    /** Registers {@code listener} for child transitions; closing the returned handle removes it. */
    public AutoCloseable addChildListener(ChildListener listener) {
        return children.addListener(listener);
    }

    /** Registers {@code listener}; closing the returned handle removes it. */
    public AutoCloseable addListener(ParentListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Completes with the first snapshot of {@code parentId} the read model holds (at once if it holds one). The
     * caller bounds the wait, and should cancel the future when it gives up so the waiter is dropped.
     */
    public CompletableFuture<ParentProgress> firstSnapshot(String parentId) {
        return parents.firstSnapshot(parentId);
    }

    /**
     * Applies a record of {@code trawl.parent-progress} ({@code null}: a tombstone). The read model's write side is
     * public so that it can be driven without Kafka, as {@link ReadModelConsumer} drives it from the topics (the
     * heap footprint in {@code bench} measures the data structure this way); it keeps one writer thread.
     */
    public void applyParent(String parentId, ParentProgress snapshot) {
        if (snapshot == null) {
            removeParent(parentId);
            return;
        }
        if (!parents.accept(parentId, snapshot)) {
            return;
        }
        children.scheduleEviction(parentId, snapshot);
        for (ParentListener listener : listeners) {
            try {
                listener.onParentProgress(snapshot);
            } catch (RuntimeException e) {
                log.warn("parent listener {} failed on {} v{}", listener, parentId, snapshot.version(), e);
            }
        }
    }

    private void removeParent(String parentId) {
        boolean held = parents.remove(parentId);
        boolean hadChildren = children.removeParent(parentId);
        boolean hadDocuments = documents.removeParent(parentId);
        if (!held && !hadChildren && !hadDocuments) {
            return; // nothing was known of it: no one to tell
        }
        for (ParentListener listener : listeners) {
            try {
                listener.onParentRemoved(parentId);
            } catch (RuntimeException e) {
                log.warn("parent listener {} failed on the removal of {}", listener, parentId, e);
            }
        }
    }

    /**
     * Applies a record of {@code trawl.child-progress} ({@code null}: a tombstone) read at {@code partition} and
     * {@code offset}: the position an evicted child is read back from.
     */
    public void applyChild(String childId, ChildProgress child, int partition, long offset) {
        children.apply(childId, child, partition, offset);
    }

    void applyDocument(String documentId, DocumentSaved saved, int partition, long offset) {
        documents.apply(documentId, saved, partition, offset);
    }

    /**
     * Evicts the children of the jobs that finished {@code finished-children-in-heap} before {@code now}: the
     * consumer calls it between polls.
     */
    public void evictFinishedChildren(Instant now) {
        children.evictFinished(now);
    }
}

package dev.trawl.worker.delivery;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.TaskContext;
import dev.trawl.worker.TaskOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The records a task produces, serialised with the contract's serdes. Event ids are derived from the child id,
 * the attempt and the event kind, so a task redelivered after a crash produces recognisably the same events.
 *
 * <p>Order within a finished task: {@code HostDelayObserved} (when the delay is news), {@code LinksDiscovered},
 * {@code DocumentSaved}, then the terminal {@code ChildStatusChanged}; they share the parent's partition (the
 * document aside), so the aggregator knows the host's delay and has scheduled the links when it sees the child end.
 */
final class TaskRecords {

    /** Documents above this size are refused: the broker's default message limit is 1 MiB. */
    static final int MAX_DOCUMENT_BYTES = 900 * 1024;

    private static final Serializer<String> KEYS = Topics.JOB_EVENTS.keySerde().serializer();
    private static final Serializer<JobEvent> EVENTS = Topics.JOB_EVENTS.valueSerde().serializer();
    private static final Serializer<DocumentSaved> DOCUMENTS = Topics.DOCUMENTS.valueSerde().serializer();

    private TaskRecords() {
    }

    static ProducerRecord<byte[], byte[]> running(CrawlTask task) {
        String eventId = Ids.eventId(task.childId(), String.valueOf(task.attempt()), "running");
        return event(ChildStatusChanged.running(eventId, task, Instant.now()));
    }

    /** The delay this worker keeps to {@code delay.host()}, for the scheduler (reported before the outcome). */
    static ProducerRecord<byte[], byte[]> hostDelay(CrawlTask task, TaskContext.HostDelay delay) {
        String eventId = Ids.eventId(task.childId(), String.valueOf(task.attempt()), "host-delay");
        return event(new HostDelayObserved(eventId, task.parentId(), delay.host(), delay.delayMs(), Instant.now()));
    }

    static List<ProducerRecord<byte[], byte[]>> finished(CrawlTask task, TaskOutcome outcome) {
        String attempt = String.valueOf(task.attempt());
        Instant now = Instant.now();
        if (outcome instanceof TaskOutcome.Cancelled cancelled) {
            return List.of(event(new ChildStatusChanged(Ids.eventId(task.childId(), attempt, "cancelled"),
                    task.parentId(), task.childId(), task.url(), task.depth(), ChildStatus.CANCELLED, task.attempt(),
                    now, cancelled.reason(), null, null, null, 0)));
        }
        if (outcome instanceof TaskOutcome.Failed failed) {
            return List.of(failed(task, failed, now));
        }
        TaskOutcome.Completed done = (TaskOutcome.Completed) outcome;
        String documentId = Ids.documentId(task.parentId(), task.url());
        DocumentSaved document = new DocumentSaved(documentId, task.parentId(), task.childId(), task.url(),
                done.finalUrl(), done.page().canonicalUrl(), done.page().title(), done.page().language(),
                done.page().markdown(), done.page().contentHash(), done.httpStatus(), done.bytes(),
                done.bodyTruncated() || done.page().truncated(), done.fetchedAt());
        byte[] documentBytes = DOCUMENTS.serialize(Topics.DOCUMENTS.name(), document);
        if (documentBytes.length > MAX_DOCUMENT_BYTES) {
            return List.of(failed(task, new TaskOutcome.Failed("document too large (" + documentBytes.length
                    + " bytes)", ReasonClass.POLICY, done.httpStatus()), now));
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(3);
        if (!done.page().links().isEmpty()) {
            records.add(event(new LinksDiscovered(Ids.eventId(task.childId(), attempt, "links"), task.parentId(),
                    task.childId(), task.depth(), now, done.page().links())));
        }
        records.add(new ProducerRecord<>(Topics.DOCUMENTS.name(),
                Topics.DOCUMENTS.keySerde().serializer().serialize(Topics.DOCUMENTS.name(), documentId),
                documentBytes));
        records.add(event(ChildStatusChanged.completed(Ids.eventId(task.childId(), attempt, "completed"), task,
                now, done.httpStatus(), documentId, done.bytes())));
        return records;
    }

    private static ProducerRecord<byte[], byte[]> failed(CrawlTask task, TaskOutcome.Failed failed, Instant now) {
        String eventId = Ids.eventId(task.childId(), String.valueOf(task.attempt()), "failed");
        return event(ChildStatusChanged.failed(eventId, task, now, failed.reason(), failed.reasonClass(),
                failed.httpStatus()));
    }

    private static ProducerRecord<byte[], byte[]> event(JobEvent event) {
        String topic = Topics.JOB_EVENTS.name();
        return new ProducerRecord<>(topic, KEYS.serialize(topic, event.parentId()), EVENTS.serialize(topic, event));
    }
}

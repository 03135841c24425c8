package dev.trawl.api.topic;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.serde.JsonSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of Trawl. See docs/topics.md for producers, consumers and retention. */
public final class Topics {

    /** Each parent's event log (submission, cancel, child status, links), keyed by parent id. */
    public static final Topic<String, JobEvent> JOB_EVENTS =
            new Topic<>("trawl.job-events", Serdes.String(), new JsonSerde<>(JobEvent.class), false, 6);

    /** Fetch work for the crawler workers, keyed by host shard so a host's politeness holds. */
    public static final Topic<String, CrawlTask> CRAWL_TASKS =
            new Topic<>("trawl.crawl-tasks", Serdes.String(), new JsonSerde<>(CrawlTask.class), false, 12);

    /** Latest snapshot of every parent, keyed by parent id (compacted; public interface). */
    public static final Topic<String, ParentProgress> PARENT_PROGRESS =
            new Topic<>("trawl.parent-progress", Serdes.String(), new JsonSerde<>(ParentProgress.class), true, 6);

    /** Latest state of every child, keyed by child id (compacted). */
    public static final Topic<String, ChildProgress> CHILD_PROGRESS =
            new Topic<>("trawl.child-progress", Serdes.String(), new JsonSerde<>(ChildProgress.class), true, 6);

    /** Saved documents (Markdown + metadata), keyed by document id (compacted; public interface). */
    public static final Topic<String, DocumentSaved> DOCUMENTS =
            new Topic<>("trawl.documents", Serdes.String(), new JsonSerde<>(DocumentSaved.class), true, 6);

    /** Records nobody could read or process, as they were, with the reason in headers. */
    public static final Topic<byte[], byte[]> DEAD_LETTERS =
            new Topic<>("trawl.dead-letters", Serdes.ByteArray(), Serdes.ByteArray(), false, 1);

    public static final List<Topic<?, ?>> ALL =
            List.of(JOB_EVENTS, CRAWL_TASKS, PARENT_PROGRESS, CHILD_PROGRESS, DOCUMENTS, DEAD_LETTERS);

    /** Header names on dead letters. */
    public static final String DLT_REASON_HEADER = "trawl.dlt.reason";
    public static final String DLT_SOURCE_TOPIC_HEADER = "trawl.dlt.source-topic";
    public static final String DLT_SOURCE_PARTITION_HEADER = "trawl.dlt.source-partition";
    public static final String DLT_SOURCE_OFFSET_HEADER = "trawl.dlt.source-offset";
    public static final String DLT_APPLICATION_HEADER = "trawl.dlt.application";

    private Topics() {
    }

    /** The serde of {@code topic}'s values, typed. */
    public static <V> Serde<V> values(Topic<?, V> topic) {
        return topic.valueSerde();
    }
}

package dev.trawl.api.serde;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.ReasonClass;

/**
 * The {@link FastJsonCodec}s of the hottest records: the child status events and discovered links the aggregator
 * reads (about one per child and status change), and the tasks and child states it writes as often. Jackson's
 * databinding spent about 1.1 µs reading an event and 0.4 µs writing a child's state; these scan and write plain
 * bytes ({@link EventScanner}, {@link JsonBytes}). {@code FastJsonCodecsTest} holds them to Jackson's bytes and
 * values.
 *
 * <p>Why they stay (issue 15, docs/BENCHMARKS.md "Session 9"): the whole-pipeline benchmark with every value read
 * and written by Jackson 3 databind and Blackbird instead spent 15–30 % more CPU per page over all the processes
 * (workers and aggregator alike) and crawled 5,000 pages in 15.1–17.7 s instead of 12.6–13.7 s on this saturated
 * two-core machine; keeping only {@link IsoInstants} recovered part of it, not all.
 */
public final class FastJsonCodecs {

    public static final WireNames<ChildStatus> CHILD_STATUS = new WireNames<>(ChildStatus.class);
    public static final WireNames<ReasonClass> REASON_CLASS = new WireNames<>(ReasonClass.class);

    private FastJsonCodecs() {
    }

    /** The codec of {@code type}, or null when Jackson alone reads and writes it. */
    @SuppressWarnings("unchecked")
    public static <T> FastJsonCodec<T> forType(Class<T> type) {
        if (type == JobEvent.class) {
            return (FastJsonCodec<T>) JOB_EVENT;
        }
        if (type == ChildProgress.class) {
            return (FastJsonCodec<T>) CHILD_PROGRESS;
        }
        if (type == CrawlTask.class) {
            return (FastJsonCodec<T>) CRAWL_TASK;
        }
        return null;
    }

    private static final JsonBytes.Name TYPE = new JsonBytes.Name("type");
    private static final JsonBytes.Name EVENT_ID = new JsonBytes.Name("event_id");
    private static final JsonBytes.Name PARENT_ID = new JsonBytes.Name("parent_id");
    private static final JsonBytes.Name CHILD_ID = new JsonBytes.Name("child_id");
    private static final JsonBytes.Name URL = new JsonBytes.Name("url");
    private static final JsonBytes.Name DEPTH = new JsonBytes.Name("depth");
    private static final JsonBytes.Name STATUS = new JsonBytes.Name("status");
    private static final JsonBytes.Name ATTEMPT = new JsonBytes.Name("attempt");
    private static final JsonBytes.Name TIMESTAMP = new JsonBytes.Name("timestamp");
    private static final JsonBytes.Name REASON = new JsonBytes.Name("reason");
    private static final JsonBytes.Name REASON_CLASS_NAME = new JsonBytes.Name("reason_class");
    private static final JsonBytes.Name HTTP_STATUS = new JsonBytes.Name("http_status");
    private static final JsonBytes.Name DOCUMENT_ID = new JsonBytes.Name("document_id");
    private static final JsonBytes.Name BYTES = new JsonBytes.Name("bytes");
    private static final JsonBytes.Name UPDATED_AT = new JsonBytes.Name("updated_at");
    private static final JsonBytes.Name HOST_SHARDS = new JsonBytes.Name("host_shards");
    private static final JsonBytes.Name SCHEDULED_AT = new JsonBytes.Name("scheduled_at");
    private static final JsonBytes.Name HOST_DELAY_MS = new JsonBytes.Name("host_delay_ms");

    static final FastJsonCodec<ChildProgress> CHILD_PROGRESS = new FastJsonCodec<>() {
        @Override
        public byte[] write(ChildProgress p) {
            return new JsonBytes(512)
                    .name(CHILD_ID).string(p.childId())
                    .name(PARENT_ID).string(p.parentId())
                    .name(URL).string(p.url())
                    .name(DEPTH).number(p.depth())
                    .name(STATUS).string(CHILD_STATUS.of(p.status()))
                    .name(ATTEMPT).number(p.attempt())
                    .name(REASON).string(p.reason())
                    .name(REASON_CLASS_NAME).string(REASON_CLASS.of(p.reasonClass()))
                    .name(HTTP_STATUS).number(p.httpStatus())
                    .name(DOCUMENT_ID).string(p.documentId())
                    .name(UPDATED_AT).instant(p.updatedAt())
                    .end();
        }
    };

    static final FastJsonCodec<CrawlTask> CRAWL_TASK = new FastJsonCodec<>() {
        @Override
        public byte[] write(CrawlTask t) {
            return new JsonBytes(256)
                    .name(PARENT_ID).string(t.parentId())
                    .name(CHILD_ID).string(t.childId())
                    .name(URL).string(t.url())
                    .name(DEPTH).number(t.depth())
                    .name(ATTEMPT).number(t.attempt())
                    .name(HOST_SHARDS).number(t.hostShards())
                    .name(SCHEDULED_AT).instant(t.scheduledAt())
                    .name(HOST_DELAY_MS).number(t.hostDelayMs())
                    .end();
        }
    };

    static final FastJsonCodec<JobEvent> JOB_EVENT = new FastJsonCodec<>() {
        @Override
        public byte[] write(JobEvent event) {
            if (!(event instanceof ChildStatusChanged c)) {
                return null;
            }
            return new JsonBytes(512)
                    .name(TYPE).string("child_status_changed")
                    .name(EVENT_ID).string(c.eventId())
                    .name(PARENT_ID).string(c.parentId())
                    .name(CHILD_ID).string(c.childId())
                    .name(URL).string(c.url())
                    .name(DEPTH).number(c.depth())
                    .name(STATUS).string(CHILD_STATUS.of(c.status()))
                    .name(ATTEMPT).number(c.attempt())
                    .name(TIMESTAMP).instant(c.timestamp())
                    .name(REASON).string(c.reason())
                    .name(REASON_CLASS_NAME).string(REASON_CLASS.of(c.reasonClass()))
                    .name(HTTP_STATUS).number(c.httpStatus())
                    .name(DOCUMENT_ID).string(c.documentId())
                    .name(BYTES).number(c.bytes())
                    .end();
        }

        @Override
        public JobEvent read(byte[] json) {
            return EventScanner.read(json);
        }
    };
}

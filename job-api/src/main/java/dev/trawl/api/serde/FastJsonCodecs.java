package dev.trawl.api.serde;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * The {@link FastJsonCodec}s of the hottest records: the child status events and discovered links the aggregator
 * reads (about one per child and status change), and the tasks and child states it writes as often. Jackson's
 * databinding spent about 1.1 µs reading an event and 0.4 µs writing a child's state; these read with Jackson's
 * own streaming parser and write plain bytes. {@code FastJsonCodecsTest} holds them to Jackson's bytes and values.
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

    static final FastJsonCodec<ChildProgress> CHILD_PROGRESS = new FastJsonCodec<>() {
        @Override
        public byte[] write(ChildProgress p) {
            return new JsonBytes(256)
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

        @Override
        public ChildProgress read(byte[] json) {
            return null;
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
                    .end();
        }

        @Override
        public CrawlTask read(byte[] json) {
            return null;
        }
    };

    static final FastJsonCodec<JobEvent> JOB_EVENT = new FastJsonCodec<>() {
        @Override
        public byte[] write(JobEvent event) {
            if (!(event instanceof ChildStatusChanged c)) {
                return null;
            }
            return new JsonBytes(384)
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
            // the mapper's own createParser builds a whole deserialization context per call: a third of the time
            try (JsonParser p = Json.MAPPER.tokenStreamFactory().createParser(ObjectReadContext.empty(), json)) {
                if (p.nextToken() != JsonToken.START_OBJECT || !"type".equals(p.nextName())) {
                    return null;
                }
                String type = text(p, p.nextToken());
                JobEvent event = "child_status_changed".equals(type) ? readStatusChanged(p)
                        : "links_discovered".equals(type) ? readLinks(p) : null;
                return event != null && p.nextToken() == null ? event : null;
            } catch (LeaveToJackson | JacksonException | DateTimeException | IllegalArgumentException
                     | NullPointerException e) {
                return null; // Jackson reads it again, and says what is wrong if anything is
            }
        }
    };

    private static ChildStatusChanged readStatusChanged(JsonParser p) {
        String eventId = null;
        String parentId = null;
        String childId = null;
        String url = null;
        int depth = 0;
        ChildStatus status = null;
        int attempt = 0;
        Instant timestamp = null;
        String reason = null;
        ReasonClass reasonClass = null;
        Integer httpStatus = null;
        String documentId = null;
        long bytes = 0;
        int primitives = 0; // Jackson refuses an event without its primitive properties: depth, attempt, bytes
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken token = p.nextToken();
            switch (name) {
                case "event_id" -> eventId = text(p, token);
                case "parent_id" -> parentId = text(p, token);
                case "child_id" -> childId = text(p, token);
                case "url" -> url = text(p, token);
                case "depth" -> {
                    depth = intValue(p, token);
                    primitives |= 1;
                }
                case "status" -> status = enumValue(CHILD_STATUS, p, token);
                case "attempt" -> {
                    attempt = intValue(p, token);
                    primitives |= 2;
                }
                case "timestamp" -> timestamp = instant(p, token);
                case "reason" -> reason = text(p, token);
                case "reason_class" -> reasonClass = enumValue(REASON_CLASS, p, token);
                case "http_status" -> httpStatus = token == JsonToken.VALUE_NULL ? null : intValue(p, token);
                case "document_id" -> documentId = text(p, token);
                case "bytes" -> {
                    bytes = longValue(p, token);
                    primitives |= 4;
                }
                case "type" -> throw LeaveToJackson.INSTANCE;
                default -> p.skipChildren();
            }
        }
        if (primitives != 7) {
            throw LeaveToJackson.INSTANCE;
        }
        return new ChildStatusChanged(eventId, parentId, childId, url, depth, status, attempt, timestamp, reason,
                reasonClass, httpStatus, documentId, bytes);
    }

    private static LinksDiscovered readLinks(JsonParser p) {
        String eventId = null;
        String parentId = null;
        String childId = null;
        int depth = 0;
        Instant timestamp = null;
        List<String> urls = null;
        boolean hasDepth = false;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken token = p.nextToken();
            switch (name) {
                case "event_id" -> eventId = text(p, token);
                case "parent_id" -> parentId = text(p, token);
                case "child_id" -> childId = text(p, token);
                case "depth" -> {
                    depth = intValue(p, token);
                    hasDepth = true;
                }
                case "timestamp" -> timestamp = instant(p, token);
                case "urls" -> urls = strings(p, token);
                case "type" -> throw LeaveToJackson.INSTANCE;
                default -> p.skipChildren();
            }
        }
        if (!hasDepth) {
            throw LeaveToJackson.INSTANCE;
        }
        return new LinksDiscovered(eventId, parentId, childId, depth, timestamp, urls);
    }

    /** A string or null; anything Jackson would coerce (a number, say) is left to it. */
    private static String text(JsonParser p, JsonToken token) {
        if (token == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        throw LeaveToJackson.INSTANCE;
    }

    private static int intValue(JsonParser p, JsonToken token) {
        if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        throw LeaveToJackson.INSTANCE;
    }

    private static long longValue(JsonParser p, JsonToken token) {
        if (token == JsonToken.VALUE_NUMBER_INT && (p.getNumberType() == JsonParser.NumberType.INT
                || p.getNumberType() == JsonParser.NumberType.LONG)) {
            return p.getLongValue();
        }
        throw LeaveToJackson.INSTANCE;
    }

    private static <E extends Enum<E>> E enumValue(WireNames<E> names, JsonParser p, JsonToken token) {
        String text = text(p, token);
        if (text == null) {
            return null;
        }
        E value = names.parse(text);
        if (value == null) {
            throw LeaveToJackson.INSTANCE;
        }
        return value;
    }

    private static Instant instant(JsonParser p, JsonToken token) {
        String text = text(p, token);
        if (text == null) {
            return null;
        }
        Instant instant = IsoInstants.parseFast(text.trim());
        if (instant == null) {
            throw LeaveToJackson.INSTANCE;
        }
        return instant;
    }

    private static List<String> strings(JsonParser p, JsonToken token) {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.START_ARRAY) {
            throw LeaveToJackson.INSTANCE;
        }
        List<String> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                throw LeaveToJackson.INSTANCE;
            }
            out.add(p.getString());
        }
        return out;
    }

    /** Thrown where the fast path stops; no stack trace, it is not an error. */
    private static final class LeaveToJackson extends RuntimeException {
        static final LeaveToJackson INSTANCE = new LeaveToJackson();

        private LeaveToJackson() {
            super(null, null, false, false);
        }
    }
}

package dev.trawl.aggregator.state;

import dev.trawl.api.serde.FastJsonCodec;
import dev.trawl.api.serde.FastJsonCodecs;
import dev.trawl.api.serde.JsonBytes;

/**
 * The children store's values written as Jackson writes them, without its databinding: a changed child is
 * serialised at each commit, as often as its {@code trawl.child-progress} record. Reading is Jackson's.
 */
public final class ChildStateCodec implements FastJsonCodec<ChildState> {

    public static final ChildStateCodec INSTANCE = new ChildStateCodec();

    private static final JsonBytes.Name CHILD_ID = new JsonBytes.Name("child_id");
    private static final JsonBytes.Name URL = new JsonBytes.Name("url");
    private static final JsonBytes.Name DEPTH = new JsonBytes.Name("depth");
    private static final JsonBytes.Name STATUS = new JsonBytes.Name("status");
    private static final JsonBytes.Name ATTEMPT = new JsonBytes.Name("attempt");
    private static final JsonBytes.Name REASON = new JsonBytes.Name("reason");
    private static final JsonBytes.Name REASON_CLASS = new JsonBytes.Name("reason_class");
    private static final JsonBytes.Name HTTP_STATUS = new JsonBytes.Name("http_status");
    private static final JsonBytes.Name DOCUMENT_ID = new JsonBytes.Name("document_id");
    private static final JsonBytes.Name UPDATED_AT = new JsonBytes.Name("updated_at");

    private ChildStateCodec() {
    }

    @Override
    public byte[] write(ChildState c) {
        return new JsonBytes(512)
                .name(CHILD_ID).string(c.childId())
                .name(URL).string(c.url())
                .name(DEPTH).number(c.depth())
                .name(STATUS).string(FastJsonCodecs.CHILD_STATUS.of(c.status()))
                .name(ATTEMPT).number(c.attempt())
                .name(REASON).string(c.reason())
                .name(REASON_CLASS).string(FastJsonCodecs.REASON_CLASS.of(c.reasonClass()))
                .name(HTTP_STATUS).number(c.httpStatus())
                .name(DOCUMENT_ID).string(c.documentId())
                .name(UPDATED_AT).instant(c.updatedAt())
                .end();
    }
}

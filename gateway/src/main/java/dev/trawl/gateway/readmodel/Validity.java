package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.ParentProgress;

/** Refuses decoded values that lack what the views index or render by: they count as unreadable. */
final class Validity {

    private Validity() {
    }

    static void check(Object value) {
        if (value instanceof ParentProgress p) {
            require(p.id() != null && p.status() != null, "parent snapshot without id or status");
        } else if (value instanceof ChildProgress c) {
            require(c.parentId() != null && c.status() != null, "child without parent_id or status");
        } else if (value instanceof DocumentSaved d) {
            require(d.parentId() != null, "document without parent_id");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

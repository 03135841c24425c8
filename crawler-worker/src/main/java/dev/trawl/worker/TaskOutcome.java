package dev.trawl.worker;

import dev.trawl.api.event.ReasonClass;
import dev.trawl.worker.parse.ConvertedPage;
import java.time.Instant;

/** How crawling one task ended. */
public sealed interface TaskOutcome {

    /**
     * A page was fetched and converted: the child completes with a document.
     *
     * @param bytes         size of the fetched body (after the cap)
     * @param bodyTruncated the body hit the byte cap
     */
    record Completed(String finalUrl, int httpStatus, long bytes, boolean bodyTruncated, ConvertedPage page,
                     Instant fetchedAt) implements TaskOutcome {
    }

    /** The child ends without a document, for a readable reason. */
    record Failed(String reason, ReasonClass reasonClass, Integer httpStatus) implements TaskOutcome {
    }

    /**
     * Not started because the task's parent was cancelled or stopped ({@code stop_all}) before its first request,
     * or fetched but not converted because the parent stopped meanwhile; the child ends {@code cancelled}, without a
     * document, so a parent that waits for its running children is not held up by it.
     */
    record Cancelled(String reason) implements TaskOutcome {

        public static final String BEFORE_START = "cancelled before start";
        public static final String WHILE_RUNNING = "cancelled while running";
    }

    /**
     * Not attempted in this batch (its politeness slot is too late, or the worker is stopping); the task is
     * consumed again from its offset.
     */
    record Deferred() implements TaskOutcome {
    }
}

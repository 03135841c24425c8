package dev.trawl.aggregator.lifecycle;

import dev.trawl.aggregator.state.ChildState;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.ReasonClass;
import java.time.Instant;

/**
 * The child state machine (invariant 3, no regression): {@code pending → running → completed | failed}, and
 * {@code pending → cancelled}. Plain rules over a {@link ChildState}; the processor counts what they move.
 */
public final class ChildTransitions {

    /** The reason of a failure reported without one: it counts as an error. */
    public static final String NO_REASON = "failed without a reason";

    private ChildTransitions() {
    }

    /**
     * Whether {@code change} moves {@code child} forward: terminal states are final, an older attempt is stale,
     * and within an attempt only a higher rank counts ({@code pending < running < terminal}); a newer attempt of
     * {@code running} only raises the attempt. Duplicates, replays and late events of an earlier attempt do not.
     */
    public static boolean advances(ChildState child, ChildStatusChanged change) {
        if (child.status().isTerminal() || change.attempt() < child.attempt()) {
            return false;
        }
        if (change.status() == ChildStatus.PENDING) {
            return false;
        }
        return change.status().rank() > child.status().rank() || change.attempt() > child.attempt();
    }

    /**
     * The child after {@code change}, which {@link #advances} it: the change's outcome at the higher of the two
     * attempts, and a failure without a reason classed as an error, so every failure has a reason (invariant 6).
     */
    public static ChildState next(ChildState child, ChildStatusChanged change) {
        ChildState next = child.withStatus(change.status(), Math.max(child.attempt(), change.attempt()),
                change.reason(), change.reasonClass(), change.httpStatus(), change.documentId(), change.timestamp());
        if (change.status() == ChildStatus.FAILED && next.reason() == null) {
            next = next.withStatus(ChildStatus.FAILED, next.attempt(), NO_REASON, ReasonClass.ERROR,
                    next.httpStatus(), null, change.timestamp());
        }
        return next;
    }

    /** The child cancelled before it started (a cancel or {@code stop_all} of its parent). */
    public static ChildState cancelled(ChildState child, Instant at) {
        return child.withStatus(ChildStatus.CANCELLED, child.attempt(), "cancelled", null, null, null, at);
    }
}

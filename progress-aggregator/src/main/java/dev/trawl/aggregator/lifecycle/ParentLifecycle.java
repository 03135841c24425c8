package dev.trawl.aggregator.lifecycle;

import dev.trawl.aggregator.state.ParentState;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobStatus;
import java.time.Instant;

/**
 * When a parent ends and how, and what its error tolerance does: rules over a {@link ParentState} alone, with no
 * store and no Kafka, so they are unit-tested as plain Java. The processor applies them after each event.
 *
 * <p>Honest completion (invariant 2): a parent ends only once it is sealed and nothing is pending or running. A
 * crawl is sealed from the start; its links arrive before its child's end (one worker transaction, one
 * partition), so no scheduled link can still be on its way when the last child ends.
 */
public final class ParentLifecycle {

    /** What error tolerance makes of a parent's error failures (policy outcomes are never counted). */
    public enum Tolerance {
        /** Not past {@code max_child_failures} (or unlimited): nothing happens. */
        WITHIN,
        /** Past it under {@code continue}: the crawl goes on and ends {@code completed_with_failures}. */
        CONTINUE,
        /** Past it under {@code stop_all}: the parent stops (its queue is cancelled) and ends {@code failed}. */
        STOP_ALL,
        /** Past it under {@code mark_warning}: the crawl goes on and ends {@code completed} with a warning. */
        MARK_WARNING
    }

    private ParentLifecycle() {
    }

    /** Which of the four tolerance outcomes the parent's error failures call for now. */
    public static Tolerance tolerance(ParentState parent) {
        ErrorTolerance tolerance = parent.tolerance();
        if (!tolerance.exceededBy(parent.errorFailures())) {
            return Tolerance.WITHIN;
        }
        return switch (tolerance.failureAction()) {
            case CONTINUE -> Tolerance.CONTINUE;
            case STOP_ALL -> Tolerance.STOP_ALL;
            case MARK_WARNING -> Tolerance.MARK_WARNING;
        };
    }

    /**
     * Applies the tolerance after an error failure was counted: {@code stop_all} stops the parent (once),
     * {@code mark_warning} sets the warning. Returns true if the parent has just started stopping: the caller
     * then cancels what has not started.
     */
    public static boolean applyErrorTolerance(ParentState parent) {
        Tolerance verdict = tolerance(parent);
        if (verdict == Tolerance.STOP_ALL) {
            if (!parent.isStopping()) {
                parent.stopAll(exceeded(parent));
                return true;
            }
        } else if (verdict == Tolerance.MARK_WARNING) {
            parent.warn(exceeded(parent));
        }
        return false;
    }

    /**
     * The status the parent ends with now, or null while it goes on: it has ended already, a child is pending or
     * running, or (a reported job) it is not sealed yet.
     */
    public static JobStatus terminalStatus(ParentState parent) {
        if (parent.status().isTerminal() || parent.hasOutstandingChildren() || !parent.isSealed()) {
            return null;
        }
        if (parent.isStopping() || parent.failure() != null) {
            return JobStatus.FAILED;
        }
        if (parent.isCancelRequested()) {
            return JobStatus.CANCELLED;
        }
        if (tolerance(parent) == Tolerance.CONTINUE) {
            return JobStatus.COMPLETED_WITH_FAILURES;
        }
        return JobStatus.COMPLETED;
    }

    /** Ends the parent at {@code at} if {@link #terminalStatus} says so; returns whether it ended now. */
    public static boolean finishIfDone(ParentState parent, Instant at) {
        JobStatus terminal = terminalStatus(parent);
        if (terminal == null) {
            return false;
        }
        parent.finish(terminal, at);
        return true;
    }

    /** The warning of a parent past its tolerance. */
    static String exceeded(ParentState parent) {
        return parent.errorFailures() + " children failed, more than max_child_failures "
                + parent.tolerance().maxChildFailures();
    }
}

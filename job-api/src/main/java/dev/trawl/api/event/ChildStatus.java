package dev.trawl.api.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Lifecycle of one child job. {@code PENDING -> RUNNING -> COMPLETED | FAILED}, or {@code CANCELLED} from any
 * non-terminal state. Terminal states never change again (invariant 3: no regression).
 */
public enum ChildStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("running") RUNNING,
    /** A document was saved for the child. */
    @JsonProperty("completed") COMPLETED,
    /** The child ended without a document; the event always carries a reason. */
    @JsonProperty("failed") FAILED,
    @JsonProperty("cancelled") CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** Rank used to refuse backward moves: a transition is applied only to a strictly higher rank. */
    public int rank() {
        return switch (this) {
            case PENDING -> 0;
            case RUNNING -> 1;
            case COMPLETED, FAILED, CANCELLED -> 2;
        };
    }
}

package dev.trawl.api.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Lifecycle of a parent job: {@code PENDING -> RUNNING -> one of the terminal states}. */
public enum JobStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("completed") COMPLETED,
    @JsonProperty("completed_with_failures") COMPLETED_WITH_FAILURES,
    @JsonProperty("failed") FAILED,
    @JsonProperty("cancelled") CANCELLED;

    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }

    /** The wire name, as in JSON and query parameters. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

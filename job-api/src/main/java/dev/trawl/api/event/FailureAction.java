package dev.trawl.api.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a parent does once more children failed (with an error) than its tolerance allows. */
public enum FailureAction {
    /** Keep crawling; the parent ends {@code completed_with_failures}. */
    @JsonProperty("continue") CONTINUE,
    /** Cancel outstanding children and fail the parent. */
    @JsonProperty("stop_all") STOP_ALL,
    /** Keep crawling; the parent ends {@code completed} with a warning. */
    @JsonProperty("mark_warning") MARK_WARNING
}

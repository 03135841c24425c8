package dev.trawl.gateway.submit;

import java.util.List;

/**
 * The body of {@code POST /api/jobs} as sent, before defaults and validation. Null means "not given".
 */
public record SubmitJobRequest(
        String name,
        List<String> seeds,
        Long maxDepth,
        Long maxPages,
        Boolean sameHost,
        List<String> include,
        List<String> exclude,
        ErrorToleranceRequest errorTolerance) {

    /** {@code error_tolerance} as sent. */
    public record ErrorToleranceRequest(Long maxChildFailures, String failureAction) {
    }
}

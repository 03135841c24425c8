package dev.trawl.worker.fetch;

import dev.trawl.api.event.ReasonClass;

/** What one fetch (with its redirect hops) ended in: a final response, or a failure with a readable reason. */
public sealed interface FetchResult {

    /**
     * A final, non-redirect response. The body is empty unless the status is 2xx and the content type accepted.
     *
     * @param mimeType  lower-cased media type without parameters, "" when the server sent none
     * @param charset   the charset parameter of the Content-Type header, or null
     * @param truncated the body hit the byte cap and was cut off
     * @param location  the Location header, or null
     * @param retryAfter the Retry-After header (seconds or HTTP date) as a wait, or null
     */
    record Response(String finalUrl, int httpStatus, String mimeType, String charset, byte[] body,
                    boolean truncated, String location, java.time.Duration retryAfter) implements FetchResult {
    }

    /**
     * No usable response.
     *
     * @param httpStatus     last HTTP status seen, or null when none arrived
     * @param transientError worth retrying (timeouts, connection errors)
     */
    record Failure(String reason, ReasonClass reasonClass, Integer httpStatus, boolean transientError)
            implements FetchResult {

        static Failure policy(String reason) {
            return new Failure(reason, ReasonClass.POLICY, null, false);
        }

        static Failure error(String reason, boolean transientError) {
            return new Failure(reason, ReasonClass.ERROR, null, transientError);
        }
    }
}

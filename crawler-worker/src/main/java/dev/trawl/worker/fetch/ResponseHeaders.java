package dev.trawl.worker.fetch;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.hc.client5.http.utils.DateUtils;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;

/** The response headers the fetcher reads, parsed by HttpClient's own parsers: Content-Type and Retry-After. */
final class ResponseHeaders {

    private ResponseHeaders() {
    }

    static String header(ClassicHttpResponse response, String name, String fallback) {
        Header header = response.getFirstHeader(name);
        return header == null ? fallback : header.getValue();
    }

    /**
     * Retry-After as delta-seconds or an HTTP date (IMF-fixdate or the obsolete RFC 850 form, read by HttpClient's
     * {@link DateUtils}), as a wait from {@code now}; null when absent or unreadable.
     */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            Instant at = DateUtils.parseStandardDate(v);
            if (at == null) {
                return null;
            }
            Duration wait = Duration.between(now, at);
            return wait.isNegative() ? Duration.ZERO : wait;
        }
    }

    /** The media type, lower case; "" when the header is absent or unreadable (HttpCore's lenient parser). */
    static String mimeOf(ContentType contentType) {
        return contentType == null || contentType.getMimeType() == null ? ""
                : contentType.getMimeType().trim().toLowerCase(Locale.ROOT);
    }

    /** The charset parameter as sent (the converter falls back to detection when Java does not know it). */
    static String charsetOf(ContentType contentType) {
        String charset = contentType == null ? null : contentType.getParameter("charset");
        return charset == null || charset.isBlank() ? null : charset.trim();
    }
}

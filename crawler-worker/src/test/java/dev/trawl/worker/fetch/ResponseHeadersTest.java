package dev.trawl.worker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.hc.core5.http.ContentType;
import org.junit.jupiter.api.Test;

/** The response headers the fetcher reads with HttpClient's own parsers: Content-Type and Retry-After. */
class ResponseHeadersTest {

    @Test
    void readsTheMediaTypeLowerCaseAndTheCharsetAsSent() {
        ContentType type = ContentType.parseLenient("TEXT/HTML; Charset=\"iso-8859-1\"");
        assertThat(ResponseHeaders.mimeOf(type)).isEqualTo("text/html");
        assertThat(ResponseHeaders.charsetOf(type)).isEqualTo("iso-8859-1");
        assertThat(ResponseHeaders.charsetOf(ContentType.parseLenient("text/html; charset=x-unknown")))
                .as("a charset Java does not know is the converter's to fall back from").isEqualTo("x-unknown");
    }

    @Test
    void anAbsentOrEmptyContentTypeIsNoMediaTypeAndNoCharset() {
        assertThat(ResponseHeaders.mimeOf(ContentType.parseLenient(""))).isEmpty();
        assertThat(ResponseHeaders.charsetOf(ContentType.parseLenient(""))).isNull();
        assertThat(ResponseHeaders.charsetOf(ContentType.parseLenient("text/html; charset="))).isNull();
    }

    @Test
    void readsRetryAfterAsSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(ResponseHeaders.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(ResponseHeaders.retryAfter("-5", now)).isEqualTo(Duration.ZERO);
        ZonedDateTime inAMinute = now.atZone(ZoneOffset.UTC).plusSeconds(60);
        for (String pattern : new String[] {"EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz"}) {
            String date = inAMinute.format(DateTimeFormatter.ofPattern(pattern, Locale.US));
            assertThat(ResponseHeaders.retryAfter(date, now)).as(date).isEqualTo(Duration.ofSeconds(60));
        }
        assertThat(ResponseHeaders.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now))
                .as("in the past").isEqualTo(Duration.ZERO);
        assertThat(ResponseHeaders.retryAfter("soon", now)).isNull();
        assertThat(ResponseHeaders.retryAfter(null, now)).isNull();
    }
}

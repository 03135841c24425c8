package dev.trawl.worker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
        assertThat(Fetcher.mimeOf(type)).isEqualTo("text/html");
        assertThat(Fetcher.charsetOf(type)).isEqualTo("iso-8859-1");
        assertThat(Fetcher.charsetOf(ContentType.parseLenient("text/html; charset=x-unknown")))
                .as("a charset Java does not know is the converter's to fall back from").isEqualTo("x-unknown");
    }

    @Test
    void anAbsentOrEmptyContentTypeIsNoMediaTypeAndNoCharset() {
        assertThat(Fetcher.mimeOf(ContentType.parseLenient(""))).isEmpty();
        assertThat(Fetcher.charsetOf(ContentType.parseLenient(""))).isNull();
        assertThat(Fetcher.charsetOf(ContentType.parseLenient("text/html; charset="))).isNull();
    }

    @Test
    void readsRetryAfterAsSecondsOrAsAnHttpDate() {
        assertThat(Fetcher.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(Fetcher.retryAfter("-5")).isEqualTo(Duration.ZERO);
        ZonedDateTime inAMinute = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60);
        for (String pattern : new String[] {"EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz"}) {
            String date = inAMinute.format(DateTimeFormatter.ofPattern(pattern, Locale.US));
            assertThat(Fetcher.retryAfter(date)).as(date).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
        }
        assertThat(Fetcher.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).as("in the past").isEqualTo(Duration.ZERO);
        assertThat(Fetcher.retryAfter("soon")).isNull();
        assertThat(Fetcher.retryAfter(null)).isNull();
    }
}

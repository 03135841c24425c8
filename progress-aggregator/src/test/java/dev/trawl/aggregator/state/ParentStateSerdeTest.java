package dev.trawl.aggregator.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.serde.JsonSerde;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A parent's aggregate reads back from its stored form, a crawl's and a reported job's (which has no spec). */
class ParentStateSerdeTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private final JsonSerde<ParentState> serde = new JsonSerde<>(ParentState.class);

    private ParentState roundTrip(ParentState state) {
        return serde.deserializer().deserialize("trawl-parents", serde.serializer().serialize("trawl-parents", state));
    }

    @Test
    void aReportedJobsStateReadsBack() {
        ParentState job = ParentState.generic("g1", "library-scan", "scan", T0);
        job.childScheduled(T0);
        ParentState read = roundTrip(job);
        assertThat(read.isCrawl()).isFalse();
        assertThat(read.jobType()).isEqualTo("library-scan");
        assertThat(read.isSealed()).isFalse();
        assertThat(read.total()).isEqualTo(1);
        assertThat(read.nextSnapshot().name()).isEqualTo("scan");
    }

    @Test
    void aCrawlsStateReadsBack() {
        ParentState crawl = new ParentState("p1", new CrawlSpec("news", List.of("http://site.test/"), 2, 10, true,
                List.of(), List.of(), ErrorTolerance.UNLIMITED), T0);
        crawl.childScheduled(T0);
        crawl.childMoved(ChildStatus.PENDING, ChildStatus.RUNNING, T0);
        ParentState read = roundTrip(crawl);
        assertThat(read.isCrawl()).isTrue();
        assertThat(read.spec()).isEqualTo(crawl.spec());
        assertThat(read.hasOutstandingChildren()).isTrue();
        assertThat(read.nextSnapshot().running()).isEqualTo(1);
    }
}

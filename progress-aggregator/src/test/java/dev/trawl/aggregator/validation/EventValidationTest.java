package dev.trawl.aggregator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ProgressReported;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the aggregator refuses before it changes anything, and why: plain checks, no Kafka. */
class EventValidationTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static ChildStatusChanged change(String childId, ChildStatus status, int attempt) {
        return new ChildStatusChanged("e", "p1", childId, "http://site.test/", 0, status, attempt, T0, null, null,
                null, null, 0);
    }

    private static CrawlSpec spec(List<String> seeds, int maxDepth, int maxPages, List<String> include) {
        return new CrawlSpec("test", seeds, maxDepth, maxPages, true, include, List.of(), ErrorTolerance.UNLIMITED);
    }

    @Test
    void aCompleteEventKeyedByItsParentIsValid() {
        assertThat(EventValidation.invalidRecord("p1", change("c1", ChildStatus.RUNNING, 1))).isNull();
        assertThat(EventValidation.invalidRecord("p1", new LinksDiscovered("l", "p1", "c1", 0, T0,
                List.of("http://site.test/a")))).isNull();
        assertThat(EventValidation.invalidRecord("p1", new HostDelayObserved("h", "p1", "site.test", 0, T0)))
                .isNull();
    }

    @Test
    void aRecordWithoutEventParentOrTimestampOrUnderAnotherKeyIsRefused() {
        assertThat(EventValidation.invalidRecord("p1", null)).isEqualTo("event without parent id or timestamp");
        assertThat(EventValidation.invalidRecord("p1", new JobStarted("s", null, T0, "scan", "n")))
                .isEqualTo("event without parent id or timestamp");
        assertThat(EventValidation.invalidRecord("p1", new JobStarted("s", "p1", null, "scan", "n")))
                .isEqualTo("event without parent id or timestamp");
        assertThat(EventValidation.invalidRecord("p2", change("c1", ChildStatus.RUNNING, 1)))
                .isEqualTo("record key p2 is not the event's parent id");
    }

    @Test
    void eachEventTypeNamesTheFieldItMisses() {
        assertThat(EventValidation.invalidRecord("p1", change(null, ChildStatus.RUNNING, 1)))
                .isEqualTo("invalid child_status_changed: child_id and status are required");
        assertThat(EventValidation.invalidRecord("p1", change("c1", null, 1)))
                .isEqualTo("invalid child_status_changed: child_id and status are required");
        assertThat(EventValidation.invalidRecord("p1", change("c1", ChildStatus.RUNNING, -1)))
                .isEqualTo("invalid child_status_changed: attempt must be >= 0");
        assertThat(EventValidation.invalidRecord("p1", new LinksDiscovered("l", "p1", "c1", -1, T0, List.of())))
                .isEqualTo("invalid links_discovered: child_id and a depth >= 0 are required");
        assertThat(EventValidation.invalidRecord("p1", new JobStarted("s", "p1", T0, " ", "n")))
                .isEqualTo("invalid job_started: job_type is required");
        assertThat(EventValidation.invalidRecord("p1", new ChildAdded("a", "p1", null, "n", T0)))
                .isEqualTo("invalid child_added: child_id is required");
        assertThat(EventValidation.invalidRecord("p1", new ProgressReported("r", "p1", T0, null)))
                .isEqualTo("invalid progress_reported: detail is required");
        assertThat(EventValidation.invalidRecord("p1", new HostDelayObserved("h", "p1", "site.test", -5, T0)))
                .isEqualTo("invalid host_delay_observed: a host and a delay_ms >= 0 are required");
    }

    @Test
    void aSubmittedSpecIsCheckedForSeedsLimitsAndPatterns() {
        assertThat(EventValidation.invalidSpec(spec(List.of("http://site.test/"), 2, 10, List.of()))).isNull();
        assertThat(EventValidation.invalidSpec(null)).isEqualTo("invalid job: no spec");
        assertThat(EventValidation.invalidSpec(spec(List.of(), 2, 10, List.of())))
                .isEqualTo("invalid job: seeds is empty");
        assertThat(EventValidation.invalidSpec(spec(List.of("http://site.test/"), 2, 0, List.of())))
                .isEqualTo("invalid job: max_pages must be at least 1");
        assertThat(EventValidation.invalidSpec(spec(List.of("http://site.test/"), -1, 10, List.of())))
                .isEqualTo("invalid job: max_depth must be at least 0");
        assertThat(EventValidation.invalidSpec(spec(List.of("http://site.test/"), 2, 10, List.of("(unclosed"))))
                .isEqualTo("invalid job: invalid regex: (unclosed");
    }
}

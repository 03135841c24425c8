package dev.trawl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.ChildAdded;
import dev.trawl.api.event.JobSealed;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.event.ProgressReported;
import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.FailureAction;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.serde.JsonSerde;
import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventSerdeTest {

    private static final Instant AT = Instant.parse("2026-11-22T10:15:30.123Z");
    private static final CrawlSpec SPEC = new CrawlSpec("News", List.of("https://example.com/"), 3, 1000, true,
            List.of("/news/"), List.of("\\.pdf$"), new ErrorTolerance(5, FailureAction.STOP_ALL));
    private static final CrawlTask TASK = new CrawlTask("p1", "c1", "https://example.com/a", 1, 2, 4, AT);

    static Stream<JobEvent> jobEvents() {
        return Stream.of(
                new JobSubmitted("e1", "p1", AT, SPEC),
                new CancelRequested("e2", "p1", AT, "user"),
                ChildStatusChanged.running("e3", TASK, AT),
                ChildStatusChanged.completed("e4", TASK, AT, 200, "c1", 2048),
                ChildStatusChanged.failed("e5", TASK, AT, "http 404", ReasonClass.ERROR, 404),
                new LinksDiscovered("e6", "p1", "c1", 1, AT, List.of("https://example.com/b")),
                new JobStarted("e7", "p2", AT, "library-scan", "Scan"),
                new ChildAdded("e8", "p2", "c9", "lib.jar", AT),
                new ProgressReported("e9", "p2", AT, ProgressDetail.of("c9", 3, 10, "parsing", "lib.jar")),
                new JobSealed("e10", "p2", AT, null));
    }

    @ParameterizedTest
    @MethodSource("jobEvents")
    void everyJobEventRoundTripsThroughTheTopicSerde(JobEvent event) {
        JsonSerde<JobEvent> serde = (JsonSerde<JobEvent>) Topics.JOB_EVENTS.valueSerde();
        byte[] bytes = serde.serialize(Topics.JOB_EVENTS.name(), event);
        assertThat(serde.deserialize(Topics.JOB_EVENTS.name(), bytes)).isEqualTo(event);
    }

    @Test
    void theOtherEventsRoundTripThroughTheirTopicSerdes() {
        roundTrip(Topics.CRAWL_TASKS, TASK);
        roundTrip(Topics.DOCUMENTS, new DocumentSaved("c1", "p1", "c1", "https://example.com/a",
                "https://example.com/a/", "https://example.com/a", "Title", "en", "# Title\n", "abc", 200, 2048,
                false, AT));
        roundTrip(Topics.PARENT_PROGRESS, new ParentProgress("p1", "News", JobStatus.COMPLETED_WITH_FAILURES, 0, 0,
                41, 2, 0, 43, 41, 99999, 1.0, null, "0 pending, 0 running, 41 completed, 2 failed", AT, AT, AT, AT,
                "warn", 17));
        roundTrip(Topics.CHILD_PROGRESS, new ChildProgress("c1", "p1", "https://example.com/a", 1, ChildStatus.FAILED,
                1, "timeout", ReasonClass.ERROR, null, null, AT));
    }

    @Test
    void progressDetailComputesItsPercentageOnlyWhenTheTotalIsKnown() {
        assertThat(ProgressDetail.of(null, 3, 12, "m", null).percentage()).isEqualTo(25.0);
        assertThat(ProgressDetail.of(null, 3, 0, "m", null).percentage()).isNull();
        assertThat(ProgressDetail.of(null, 30, 12, "m", null).percentage()).isEqualTo(100.0);
    }

    @Test
    void jsonUsesSnakeCaseNamesExplicitTypeIdsAndLowerCaseEnums() {
        String json = new String(Topics.JOB_EVENTS.valueSerde().serializer().serialize("t",
                ChildStatusChanged.failed("e5", TASK, AT, "http 404", ReasonClass.ERROR, 404)), StandardCharsets.UTF_8);
        assertThat(json).contains("\"type\":\"child_status_changed\"", "\"parent_id\":\"p1\"",
                "\"reason_class\":\"error\"", "\"status\":\"failed\"", "\"http_status\":404",
                "\"timestamp\":\"2026-11-22T10:15:30.123Z\"");
        String snapshot = new String(Topics.PARENT_PROGRESS.valueSerde().serializer().serialize("t",
                new ParentProgress("p1", "n", JobStatus.COMPLETED_WITH_FAILURES, 0, 0, 0, 0, 0, 0, 0, 0, 0, null,
                        "", AT, null, AT, null, null, 1)), StandardCharsets.UTF_8);
        assertThat(snapshot).contains("\"status\":\"completed_with_failures\"", "\"document_count\":0",
                "\"eta_seconds\":null", "\"progress_text\"");
    }

    @Test
    void anUnknownTypeIdIsASerializationExceptionNotAClassLookup() {
        byte[] bytes = "{\"type\":\"java.lang.Runtime\",\"parent_id\":\"p\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Topics.JOB_EVENTS.valueSerde().deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("JobEvent");
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        byte[] bytes = ("{\"type\":\"cancel_requested\",\"event_id\":\"e\",\"parent_id\":\"p\","
                + "\"timestamp\":\"2026-11-22T10:15:30Z\",\"reason\":\"r\",\"added_later\":1}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(Topics.JOB_EVENTS.valueSerde().deserializer().deserialize("t", bytes))
                .isEqualTo(new CancelRequested("e", "p", Instant.parse("2026-11-22T10:15:30Z"), "r"));
    }

    private static <V> void roundTrip(Topic<?, V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), bytes)).isEqualTo(value);
    }
}

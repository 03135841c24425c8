package dev.trawl.aggregator;

import static dev.trawl.aggregator.AggregatorHarness.PARENT;
import static dev.trawl.aggregator.AggregatorHarness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.errors.DeadLetterDeserializationHandler;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.FailureAction;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTopologyTest {

    private static final String SITE = "http://site.test";
    private static final String HOME = SITE + "/";

    private final AggregatorHarness agg = harness();

    /** The aggregator under test: with every workaround of Streams internals on, as it runs by default. */
    AggregatorHarness harness() {
        return new AggregatorHarness();
    }

    @AfterEach
    void close() {
        agg.close();
    }

    private static String page(int n) {
        return SITE + "/p/" + n;
    }

    @Test
    void seedsAreScheduledAsPendingChildrenWithATask() {
        agg.submit(spec(2, 100, HOME, page(1)));

        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.PENDING);
        assertThat(p.pending()).isEqualTo(2);
        assertThat(p.total()).isEqualTo(2);
        assertThat(p.progressText()).isEqualTo("2 pending, 0 running, 0 completed, 0 failed");
        assertThat(agg.tasks()).extracting(CrawlTask::url).containsExactly(HOME, page(1));
        assertThat(agg.tasks()).allSatisfy(t -> assertThat(t.depth()).isZero());
    }

    @Test
    void duplicatedAndReplayedStatusEventsDoNotChangeTheCounts() {
        agg.submit(spec(0, 100, HOME, page(1)));
        var running = agg.status(HOME, ChildStatus.RUNNING, 1);
        var completed = agg.status(HOME, ChildStatus.COMPLETED, 1);
        agg.send(running);
        agg.send(running);
        agg.send(completed);
        agg.send(completed);
        agg.send(running); // replayed after completion
        agg.send(completed);

        ParentProgress p = agg.latest();
        assertThat(p.completed()).isEqualTo(1);
        assertThat(p.running()).isZero();
        assertThat(p.pending()).isEqualTo(1);
        assertThat(p.documentCount()).isEqualTo(1);
        assertThat(p.pending() + p.running() + p.completed() + p.failed() + p.cancelled()).isEqualTo(p.total());
    }

    @Test
    void aFinishedChildNeverMovesBackwards() {
        agg.submit(spec(0, 100, HOME));
        agg.running(HOME);
        agg.failed(HOME, "http 500", ReasonClass.ERROR);
        agg.running(HOME);
        agg.completed(HOME);

        ParentProgress p = agg.latest();
        assertThat(p.failed()).isEqualTo(1);
        assertThat(p.completed()).isZero();
        assertThat(p.documentCount()).isZero();
        assertThat(agg.children().values()).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo(ChildStatus.FAILED));
    }

    @Test
    void anEventFromAnOlderAttemptIsIgnored() {
        agg.submit(spec(0, 100, HOME));
        agg.send(agg.status(HOME, ChildStatus.RUNNING, 2));
        agg.send(agg.status(HOME, ChildStatus.COMPLETED, 1)); // a late result of attempt 1
        assertThat(agg.latest().running()).isEqualTo(1);

        agg.send(agg.status(HOME, ChildStatus.COMPLETED, 2));
        ParentProgress p = agg.latest();
        assertThat(p.completed()).isEqualTo(1);
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void discoveredLinksAreDedupedAcrossVariantsAndChildren() {
        agg.submit(spec(3, 100, HOME));
        agg.crawled(HOME, 0, page(1), page(1) + "#frag", page(1) + "/", "HTTP://SITE.TEST:80/p/1", "/relative-ignored",
                page(2), HOME);
        agg.crawled(page(1), 1, page(2), HOME, page(3));

        assertThat(agg.tasks()).extracting(CrawlTask::url).containsExactly(HOME, page(1), page(2), page(3));
        assertThat(agg.latest().total()).isEqualTo(4);
    }

    @Test
    void maxPagesIsNeverExceededByOneChild() {
        agg.submit(spec(5, 5, HOME));
        agg.crawled(HOME, 0, page(1), page(2), page(3), page(4), page(5), page(6), page(7));
        agg.crawled(page(1), 1, page(8), page(9));

        ParentProgress p = agg.latest();
        assertThat(p.total()).isEqualTo(5);
        assertThat(agg.tasks()).hasSize(5);
    }

    @Test
    void maxDepthZeroCrawlsOnlyTheSeeds() {
        agg.submit(spec(0, 100, HOME));
        agg.crawled(HOME, 0, page(1), page(2));

        ParentProgress p = agg.latest();
        assertThat(p.total()).isEqualTo(1);
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void linksBeyondMaxDepthAreNotScheduled() {
        agg.submit(spec(1, 100, HOME));
        agg.crawled(HOME, 0, page(1));
        agg.crawled(page(1), 1, page(2));

        assertThat(agg.tasks()).extracting(CrawlTask::depth).containsExactly(0, 1);
        assertThat(agg.latest().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void scopeKeepsToTheSeedHostAndTheIncludeAndExcludePatterns() {
        agg.submit(new CrawlSpec("scoped", List.of(HOME), 3, 100, true, List.of("/p/"), List.of("/p/9"),
                ErrorTolerance.UNLIMITED));
        agg.crawled(HOME, 0, page(1), page(9), "http://other.test/p/2", SITE + "/about");

        assertThat(agg.tasks()).extracting(CrawlTask::url).containsExactly(HOME, page(1));
    }

    @Test
    void theParentIsNotFinishedWhileTheLastChildsLinksAreUnscheduled() {
        agg.submit(spec(3, 100, HOME));
        agg.running(HOME);
        agg.links(HOME, 0, page(1));
        agg.completed(HOME);

        ParentProgress afterSeed = agg.latest();
        assertThat(afterSeed.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(afterSeed.pending()).isEqualTo(1);

        agg.crawled(page(1), 1);
        ParentProgress done = agg.latest();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.completed()).isEqualTo(2);
        assertThat(done.documentCount()).isEqualTo(2);
        assertThat(done.progress()).isEqualTo(1.0);
        assertThat(done.finishedAt()).isNotNull();
        assertThat(done.progressText()).isEqualTo("0 pending, 0 running, 2 completed, 0 failed");
    }

    @Test
    void manyChildrenFinishingAtOnceAreEachCountedOnce() {
        agg.submit(spec(1, 1000, HOME));
        String[] links = new String[200];
        for (int i = 0; i < links.length; i++) {
            links[i] = page(i);
        }
        agg.crawled(HOME, 0, links);
        for (String link : links) {
            agg.running(link);
        }
        for (int i = 0; i < links.length; i++) {
            if (i % 10 == 0) {
                agg.failed(links[i], "http 404", ReasonClass.ERROR);
            } else {
                agg.completed(links[i]);
            }
        }
        ParentProgress p = agg.latest();
        assertThat(p.total()).isEqualTo(201);
        assertThat(p.completed()).isEqualTo(181);
        assertThat(p.failed()).isEqualTo(20);
        assertThat(p.documentCount()).isEqualTo(181);
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void snapshotVersionsStrictlyIncrease() {
        agg.submit(spec(2, 100, HOME));
        agg.latest();
        agg.crawled(HOME, 0, page(1), page(2));
        agg.latest();
        agg.crawled(page(1), 1);
        agg.latest();
        agg.crawled(page(2), 1);

        List<ParentProgress> all = agg.snapshots();
        assertThat(all).hasSizeGreaterThanOrEqualTo(4);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).version()).isGreaterThan(all.get(i - 1).version());
        }
        assertThat(all.get(all.size() - 1).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void stopAllStopsSchedulingAndFailsTheParentOnceTheWorkersReportedTheirChildren() {
        agg.submit(new CrawlSpec("strict", List.of(HOME), 2, 100, true, List.of(), List.of(),
                new ErrorTolerance(1, FailureAction.STOP_ALL)));
        agg.crawled(HOME, 0, page(1), page(2), page(3), page(4));
        agg.running(page(1));
        agg.running(page(2));
        agg.failed(page(1), "http 500", ReasonClass.ERROR);
        assertThat(agg.latest().status()).isEqualTo(JobStatus.RUNNING);

        agg.failed(page(2), "http 500", ReasonClass.ERROR);
        ParentProgress stopping = agg.latest();
        assertThat(stopping.stopping()).isTrue();
        assertThat(stopping.pending()).as("handed to workers: they say what became of them").isEqualTo(2);
        agg.send(agg.status(page(3), ChildStatus.CANCELLED, 1)); // the workers skip the tasks of a stopping parent
        agg.send(agg.status(page(4), ChildStatus.CANCELLED, 1));
        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.FAILED);
        assertThat(p.cancelled()).isEqualTo(2);
        assertThat(p.failed()).isEqualTo(2);
        assertThat(p.pending()).isZero();
        assertThat(p.warning()).contains("max_child_failures 1");
    }

    @Test
    void continueEndsCompletedWithFailuresAndPolicyFailuresAreNotCounted() {
        agg.submit(new CrawlSpec("lenient", List.of(HOME), 2, 100, true, List.of(), List.of(),
                new ErrorTolerance(1, FailureAction.CONTINUE)));
        agg.crawled(HOME, 0, page(1), page(2), page(3));
        agg.failed(page(1), "robots.txt disallows", ReasonClass.POLICY);
        agg.failed(page(2), "http 404", ReasonClass.ERROR);
        agg.failed(page(3), "http 404", ReasonClass.ERROR);

        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED_WITH_FAILURES);
        assertThat(p.failed()).isEqualTo(3);
    }

    @Test
    void markWarningCompletesWithAWarning() {
        agg.submit(new CrawlSpec("warn", List.of(HOME), 2, 100, true, List.of(), List.of(),
                new ErrorTolerance(1, FailureAction.MARK_WARNING)));
        agg.crawled(HOME, 0, page(1), page(2));
        agg.failed(page(1), "timeout", ReasonClass.ERROR);
        agg.failed(page(2), "timeout", ReasonClass.ERROR);

        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(p.warning()).contains("2 children failed");
    }

    @Test
    void failuresWithinUnlimitedToleranceStillCompleteTheParent() {
        agg.submit(spec(1, 100, HOME));
        agg.crawled(HOME, 0, page(1));
        agg.failed(page(1), "http 404", ReasonClass.ERROR);

        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(p.progressText()).isEqualTo("0 pending, 0 running, 1 completed, 1 failed");
    }

    @Test
    void cancelStopsSchedulingWaitsForTheChildrenWorkersHoldAndEndsCancelled() {
        agg.submit(spec(2, 100, HOME));
        agg.crawled(HOME, 0, page(1), page(2), page(3));
        agg.running(page(1));
        agg.cancel();

        ParentProgress cancelling = agg.latest();
        assertThat(cancelling.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(cancelling.stopping()).isTrue();
        assertThat(cancelling.running()).isEqualTo(1);
        assertThat(cancelling.pending()).as("handed to workers, not started").isEqualTo(2);

        agg.send(agg.status(page(2), ChildStatus.CANCELLED, 1)); // a worker skips a task of the stopping parent
        agg.running(page(3)); // another had started its page before it saw the cancel: the page ends as it ends
        agg.completed(page(3));
        agg.links(page(1), 1, page(7));
        assertThat(agg.latest().status()).isEqualTo(JobStatus.RUNNING);
        agg.completed(page(1));
        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(p.completed()).isEqualTo(3);
        assertThat(p.documentCount()).isEqualTo(3);
        assertThat(p.cancelled()).isEqualTo(1);
        assertThat(p.total()).isEqualTo(4);
        assertThat(p.pending() + p.running() + p.completed() + p.failed() + p.cancelled()).isEqualTo(p.total());
    }

    @Test
    void aRedeliveredSubmissionDoesNotResetTheJob() {
        agg.submit(spec(1, 100, HOME));
        agg.crawled(HOME, 0, page(1));
        agg.submit(spec(1, 100, HOME));

        assertThat(agg.latest().completed()).isEqualTo(1);
        assertThat(agg.tasks()).hasSize(2);
    }

    @Test
    void eventsForAnUnknownParentGoToTheDeadLetterTopic() {
        agg.running(HOME);

        var letters = agg.deadLetters();
        assertThat(letters).singleElement().satisfies(r -> assertThat(header(r.headers().lastHeader(
                Topics.DLT_REASON_HEADER))).contains("unknown parent " + PARENT));
    }

    @Test
    void anUnreadableEventIsSkippedAndProcessingGoesOn() {
        agg.sendRaw(PARENT, "{not json".getBytes(StandardCharsets.UTF_8));
        agg.submit(spec(0, 10, HOME));

        assertThat(agg.latest().pending()).isEqualTo(1);
    }

    @Test
    void anUnreadableRecordIsSentAsItWasToTheDeadLetterTopicWithItsReason() {
        var record = new ConsumerRecord<>(Topics.JOB_EVENTS.name(), 3, 42L, PARENT.getBytes(StandardCharsets.UTF_8),
                "{not json".getBytes(StandardCharsets.UTF_8));
        var response = new DeadLetterDeserializationHandler().handleError(null, record,
                new SerializationException("cannot read JobEvent"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(header(r.headers().lastHeader(Topics.DLT_REASON_HEADER))).contains("cannot read JobEvent");
            assertThat(header(r.headers().lastHeader(Topics.DLT_SOURCE_OFFSET_HEADER))).isEqualTo("42");
        });
    }

    @Test
    void anEventMissingRequiredFieldsIsDeadLetteredAndChangesNothing() {
        agg.submit(spec(0, 10, HOME));
        agg.sendRaw(PARENT, ("{\"type\":\"child_status_changed\",\"event_id\":\"x\",\"parent_id\":\"" + PARENT
                + "\",\"child_id\":\"" + AggregatorHarness.child(HOME) + "\",\"depth\":0,\"attempt\":1,\"bytes\":0,\"timestamp\":\"2026-11-22T10:00:01Z\"}")
                .getBytes(StandardCharsets.UTF_8));
        agg.running(HOME);

        assertThat(agg.deadLetters()).singleElement().satisfies(r -> assertThat(header(r.headers().lastHeader(
                Topics.DLT_REASON_HEADER))).contains("child_id and status are required"));
        assertThat(agg.latest().running()).isEqualTo(1);
    }

    @Test
    void aFailureWhileProcessingSendsTheOriginalRecordToTheDeadLetterTopic() {
        var context = new org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext(null,
                Topics.JOB_EVENTS.name(), 2, 7L, new org.apache.kafka.common.header.internals.RecordHeaders(),
                dev.trawl.aggregator.topology.ProgressTopology.PROCESSOR, new org.apache.kafka.streams.processor.TaskId(0, 2), 0L,
                PARENT.getBytes(StandardCharsets.UTF_8), "{raw}".getBytes(StandardCharsets.UTF_8));
        var response = new dev.trawl.aggregator.errors.DeadLetterProcessingHandler().handleError(context,
                null, new IllegalStateException("boom"));

        assertThat(response.result()).isEqualTo(org.apache.kafka.streams.errors.ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{raw}");
            assertThat(header(r.headers().lastHeader(Topics.DLT_REASON_HEADER))).contains("boom");
        });
    }

    @Test
    void anInvalidSubmissionEndsFailedWithTheReason() {
        agg.submit(spec(0, 0, HOME));

        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.FAILED);
        assertThat(p.warning()).contains("max_pages");
    }

    @Test
    void childStateOfAParentFinishedLongerAgoThanTheRetentionIsRemovedAndTheSnapshotStays() {
        agg.submit(spec(1, 100, HOME));
        agg.crawled(HOME, 0, page(1), page(2));
        agg.crawled(page(1), 1);
        agg.crawled(page(2), 1);
        ParentProgress done = agg.latest();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(agg.children()).hasSize(3);

        agg.advanceWallClock(AggregatorHarness.RETENTION.minusMinutes(5));
        assertThat(agg.childTombstones()).isEmpty();

        agg.advanceWallClock(Duration.ofMinutes(10));
        assertThat(agg.childTombstones()).hasSize(3);
        assertThat(agg.children()).isEmpty();
        assertThat(agg.latest()).isEqualTo(done); // no new snapshot: the aggregate is unchanged

        agg.running(page(1)); // a very late event
        assertThat(agg.deadLetters()).singleElement().satisfies(r -> assertThat(header(r.headers().lastHeader(
                Topics.DLT_REASON_HEADER))).contains("child state was removed"));
        assertThat(agg.latest().completed()).isEqualTo(3);
    }

    @Test
    void aRunningParentKeepsItsChildStateWhateverItsAge() {
        agg.submit(spec(1, 100, HOME));
        agg.crawled(HOME, 0, page(1));
        agg.advanceWallClock(AggregatorHarness.RETENTION.multipliedBy(3));
        agg.crawled(page(1), 1);

        assertThat(agg.childTombstones()).isEmpty();
        assertThat(agg.latest().completed()).isEqualTo(2);
    }

    @Test
    void etaIsUnknownAtFirstThenFollowsTheRecentCompletionRate() {
        agg.submit(spec(1, 1000, HOME));
        String[] links = new String[100];
        for (int i = 0; i < links.length; i++) {
            links[i] = page(i);
        }
        agg.crawled(HOME, 0, links);
        assertThat(agg.latest().etaSeconds()).isNull();

        // one child finishes every 400 ms of event time (crawled() spans 300 ms): 2.5 per second; after 60 of
        // them 41 are outstanding and nothing new is found, so about 16 s are left
        for (int i = 0; i < 60; i++) {
            agg.advance(Duration.ofMillis(100));
            agg.crawled(links[i], 1);
        }
        ParentProgress p = agg.latest();
        assertThat(p.etaSeconds()).as(p.etaReason() + " " + p).isNotNull().isBetween(12L, 20L);
        for (int i = 60; i < links.length; i++) {
            agg.crawled(links[i], 1);
        }
        assertThat(agg.latest().etaSeconds()).isZero();
    }

    @Test
    void etaCountsTheLinksThatKeepBeingDiscovered() {
        agg.submit(spec(5, 200, HOME));
        agg.crawled(HOME, 0, page(0), page(1));
        // each finished page discovers two new ones: the frontier grows until max_pages (200) is reached
        int next = 2;
        for (int i = 0; i < 60; i++) {
            agg.advance(Duration.ofMillis(100));
            agg.crawled(page(i), 1, page(next++), page(next++));
        }
        ParentProgress p = agg.latest();
        long outstanding = p.pending() + p.running();
        // 2.5 finishes/s while 5 new children/s are found: the frontier keeps growing until max_pages, so the
        // whole rest of max_pages must be crawled, not only what is outstanding now
        double rate = 2.5;
        assertThat(p.etaSeconds()).isNotNull().isGreaterThan((long) (outstanding / rate) + 5);
        assertThat(p.etaSeconds()).isBetween((long) ((200 - p.completed()) / rate) - 2,
                (long) ((200 - p.completed()) / rate) + 2);
    }

    @Test
    void aReportedJobCountsItsDeclaredChildrenAndEndsOnlyOnceSealedAndDone() {
        String a = dev.trawl.api.id.Ids.childIdOfKey(PARENT, "a");
        String b = dev.trawl.api.id.Ids.childIdOfKey(PARENT, "b");
        agg.send(new dev.trawl.api.event.JobStarted("js", PARENT, agg.tick(), "library-scan", "Scan"));
        agg.send(new dev.trawl.api.event.ChildAdded("ca", PARENT, a, "a.jar", agg.tick()));
        agg.send(new dev.trawl.api.event.ChildAdded("ca2", PARENT, a, "a.jar", agg.tick())); // same key again
        agg.send(new dev.trawl.api.event.ChildAdded("cb", PARENT, b, "b.jar", agg.tick()));
        agg.send(generic(a, ChildStatus.RUNNING, null));
        agg.send(new dev.trawl.api.event.ProgressReported("pr", PARENT, agg.tick(),
                dev.trawl.api.event.ProgressDetail.of(a, 3, 10, "scanning classes", "a.jar")));
        ParentProgress running = agg.latest();
        assertThat(running.jobType()).isEqualTo("library-scan");
        assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.total()).isEqualTo(2);
        assertThat(running.activity().percentage()).isEqualTo(30.0);
        assertThat(running.progressText()).isEqualTo("1 pending, 1 running, 0 completed, 0 failed");

        agg.send(generic(a, ChildStatus.COMPLETED, null));
        agg.send(generic(b, ChildStatus.RUNNING, null));
        agg.send(generic(b, ChildStatus.FAILED, "unreadable zip"));
        assertThat(agg.latest().status()).isEqualTo(JobStatus.RUNNING); // not sealed: more children may come

        agg.send(new dev.trawl.api.event.JobSealed("s", PARENT, agg.tick(), null));
        ParentProgress done = agg.latest();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.completed()).isEqualTo(1);
        assertThat(done.failed()).isEqualTo(1);
        assertThat(done.documentCount()).isZero();
        assertThat(agg.tasks()).isEmpty();
    }

    @Test
    void aReportedJobThatFailsCancelsItsPendingChildrenAndEndsFailedWithTheReason() {
        String a = dev.trawl.api.id.Ids.childIdOfKey(PARENT, "a");
        String b = dev.trawl.api.id.Ids.childIdOfKey(PARENT, "b");
        agg.send(new dev.trawl.api.event.JobStarted("js", PARENT, agg.tick(), "site-build", "Build"));
        agg.send(new dev.trawl.api.event.ChildAdded("ca", PARENT, a, "step a", agg.tick()));
        agg.send(new dev.trawl.api.event.ChildAdded("cb", PARENT, b, "step b", agg.tick()));
        agg.send(generic(a, ChildStatus.RUNNING, null));
        agg.send(new dev.trawl.api.event.JobSealed("s", PARENT, agg.tick(), "disk full"));
        assertThat(agg.latest().status()).isEqualTo(JobStatus.RUNNING); // step a still runs

        agg.send(generic(a, ChildStatus.COMPLETED, null));
        ParentProgress p = agg.latest();
        assertThat(p.status()).isEqualTo(JobStatus.FAILED);
        assertThat(p.warning()).isEqualTo("disk full");
        assertThat(p.cancelled()).isEqualTo(1);
        assertThat(p.completed()).isEqualTo(1);
    }

    @Test
    void aSealedReportedJobWithoutChildrenCompletesAtOnce() {
        agg.send(new dev.trawl.api.event.JobStarted("js", PARENT, agg.tick(), "batch", "Nightly"));
        agg.send(new dev.trawl.api.event.JobSealed("s", PARENT, agg.tick(), null));

        assertThat(agg.latest().status()).isEqualTo(JobStatus.COMPLETED);
    }

    private dev.trawl.api.event.ChildStatusChanged generic(String childId, ChildStatus status, String reason) {
        return new dev.trawl.api.event.ChildStatusChanged("g" + childId + status, PARENT, childId, "name", 0, status, 1,
                agg.tick(), reason, reason == null ? null : ReasonClass.ERROR, null, null, 0);
    }

    private static String header(Header h) {
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}

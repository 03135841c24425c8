package dev.trawl.aggregator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.lifecycle.ParentLifecycle.Tolerance;
import dev.trawl.aggregator.state.ParentState;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.FailureAction;
import dev.trawl.api.event.JobStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a parent ends and how, and what its error tolerance does: plain rules over a {@link ParentState}. */
class ParentLifecycleTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static ParentState crawl(ErrorTolerance tolerance) {
        return new ParentState("p1", new CrawlSpec("test", List.of("http://site.test/"), 1, 100, true, List.of(),
                List.of(), tolerance), T0);
    }

    /** {@code n} children scheduled and started. */
    private static void running(ParentState parent, int n) {
        for (int i = 0; i < n; i++) {
            parent.childScheduled(T0);
            parent.childMoved(ChildStatus.PENDING, ChildStatus.RUNNING, T0);
        }
    }

    /** One running child fails with an error, and the tolerance is applied; returns what it said. */
    private static boolean errorFailure(ParentState parent) {
        parent.childMoved(ChildStatus.RUNNING, ChildStatus.FAILED, T0);
        parent.errorFailure();
        return ParentLifecycle.applyErrorTolerance(parent);
    }

    @Test
    void errorsWithinTheLimitChangeNothing() {
        ParentState parent = crawl(new ErrorTolerance(2, FailureAction.STOP_ALL));
        running(parent, 3);
        assertThat(errorFailure(parent)).isFalse();
        assertThat(errorFailure(parent)).isFalse();
        assertThat(ParentLifecycle.tolerance(parent)).isEqualTo(Tolerance.WITHIN);
        assertThat(parent.isStopping()).isFalse();
        assertThat(parent.acceptsNewChildren()).isTrue();
    }

    @Test
    void stopAllStopsTheParentOnceAndItEndsFailedWhenItsChildrenAreDone() {
        ParentState parent = crawl(new ErrorTolerance(1, FailureAction.STOP_ALL));
        running(parent, 4);
        assertThat(errorFailure(parent)).isFalse();
        assertThat(errorFailure(parent)).as("the failure past the limit stops the parent").isTrue();
        assertThat(parent.isStopping()).isTrue();
        assertThat(parent.acceptsNewChildren()).isFalse();
        assertThat(errorFailure(parent)).as("stopping already: nothing more to cancel").isFalse();
        assertThat(ParentLifecycle.terminalStatus(parent)).as("a child still runs").isNull();

        parent.childMoved(ChildStatus.RUNNING, ChildStatus.COMPLETED, T0);
        assertThat(ParentLifecycle.finishIfDone(parent, T0.plusSeconds(1))).isTrue();
        assertThat(parent.status()).isEqualTo(JobStatus.FAILED);
        assertThat(parent.finishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(ParentLifecycle.finishIfDone(parent, T0.plusSeconds(2))).as("ends once").isFalse();
    }

    @Test
    void markWarningGoesOnAndCompletesWithTheWarning() {
        ParentState parent = crawl(new ErrorTolerance(1, FailureAction.MARK_WARNING));
        running(parent, 2);
        errorFailure(parent);
        assertThat(errorFailure(parent)).isFalse();
        assertThat(ParentLifecycle.tolerance(parent)).isEqualTo(Tolerance.MARK_WARNING);
        assertThat(parent.acceptsNewChildren()).isTrue();
        assertThat(ParentLifecycle.terminalStatus(parent)).isEqualTo(JobStatus.COMPLETED);
        assertThat(parent.nextSnapshot().warning()).isEqualTo("2 children failed, more than max_child_failures 1");
    }

    @Test
    void continuePastTheLimitEndsCompletedWithFailures() {
        ParentState parent = crawl(new ErrorTolerance(1, FailureAction.CONTINUE));
        running(parent, 2);
        errorFailure(parent);
        errorFailure(parent);
        assertEnds(parent, Tolerance.CONTINUE, JobStatus.COMPLETED_WITH_FAILURES);
    }

    @Test
    void unlimitedToleranceCompletesWhateverTheFailures() {
        ParentState parent = crawl(ErrorTolerance.UNLIMITED);
        running(parent, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(errorFailure(parent)).isFalse();
        }
        assertEnds(parent, Tolerance.WITHIN, JobStatus.COMPLETED);
    }

    @Test
    void aCancelledParentEndsCancelledOnceNothingRunsButStopAllWins() {
        ParentState cancelled = crawl(ErrorTolerance.UNLIMITED);
        running(cancelled, 1);
        cancelled.requestCancel();
        assertThat(ParentLifecycle.terminalStatus(cancelled)).isNull();
        cancelled.childMoved(ChildStatus.RUNNING, ChildStatus.COMPLETED, T0);
        assertThat(ParentLifecycle.terminalStatus(cancelled)).isEqualTo(JobStatus.CANCELLED);

        ParentState stopped = crawl(new ErrorTolerance(1, FailureAction.STOP_ALL));
        running(stopped, 2);
        errorFailure(stopped);
        errorFailure(stopped);
        stopped.requestCancel();
        assertThat(ParentLifecycle.terminalStatus(stopped)).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void aReportedJobEndsOnlyOnceSealedAndFailsWithItsReason() {
        ParentState job = ParentState.generic("g1", "scan", "library scan", T0);
        assertThat(ParentLifecycle.terminalStatus(job)).as("open for children").isNull();
        job.seal(null);
        assertThat(ParentLifecycle.terminalStatus(job)).isEqualTo(JobStatus.COMPLETED);

        ParentState failing = ParentState.generic("g2", "scan", "library scan", T0);
        failing.seal("disk full");
        assertThat(ParentLifecycle.terminalStatus(failing)).isEqualTo(JobStatus.FAILED);
    }

    private static void assertEnds(ParentState parent, Tolerance tolerance, JobStatus status) {
        assertThat(ParentLifecycle.tolerance(parent)).isEqualTo(tolerance);
        assertThat(ParentLifecycle.terminalStatus(parent)).isEqualTo(status);
    }
}

package dev.trawl.aggregator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.aggregator.state.ChildState;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.ReasonClass;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The child state machine as plain rules: no store, no Kafka. */
class ChildTransitionsTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static ChildState child(ChildStatus status, int attempt) {
        return ChildState.pending("c1", "http://site.test/", 0, T0)
                .withStatus(status, attempt, null, null, null, null, T0);
    }

    private static ChildStatusChanged change(ChildStatus status, int attempt) {
        return change(status, attempt, null, null);
    }

    private static ChildStatusChanged change(ChildStatus status, int attempt, String reason, ReasonClass cls) {
        return new ChildStatusChanged("e", "p1", "c1", "http://site.test/", 0, status, attempt, T0.plusSeconds(1),
                reason, cls, status == ChildStatus.COMPLETED ? 200 : null,
                status == ChildStatus.COMPLETED ? "d1" : null, 0);
    }

    @Test
    void aChildMovesForwardWithinAnAttemptOnly() {
        assertThat(ChildTransitions.advances(child(ChildStatus.PENDING, 1), change(ChildStatus.RUNNING, 1))).isTrue();
        assertThat(ChildTransitions.advances(child(ChildStatus.PENDING, 1), change(ChildStatus.COMPLETED, 1)))
                .isTrue();
        assertThat(ChildTransitions.advances(child(ChildStatus.RUNNING, 1), change(ChildStatus.FAILED, 1))).isTrue();
        assertThat(ChildTransitions.advances(child(ChildStatus.RUNNING, 1), change(ChildStatus.RUNNING, 1)))
                .as("a duplicate").isFalse();
        assertThat(ChildTransitions.advances(child(ChildStatus.RUNNING, 1), change(ChildStatus.PENDING, 2)))
                .as("pending is never reported back").isFalse();
    }

    @Test
    void aTerminalChildNeverMovesAndAnOlderAttemptIsStale() {
        for (ChildStatus terminal : new ChildStatus[] {ChildStatus.COMPLETED, ChildStatus.FAILED,
                ChildStatus.CANCELLED}) {
            assertThat(ChildTransitions.advances(child(terminal, 1), change(ChildStatus.RUNNING, 2)))
                    .as("%s then running", terminal).isFalse();
            assertThat(ChildTransitions.advances(child(terminal, 1), change(ChildStatus.COMPLETED, 2)))
                    .as("%s then completed", terminal).isFalse();
        }
        assertThat(ChildTransitions.advances(child(ChildStatus.RUNNING, 2), change(ChildStatus.COMPLETED, 1)))
                .isFalse();
        assertThat(ChildTransitions.advances(child(ChildStatus.RUNNING, 1), change(ChildStatus.RUNNING, 2)))
                .as("a retry raises the attempt").isTrue();
    }

    @Test
    void theNextStateTakesTheOutcomeAtTheHigherAttempt() {
        ChildState next = ChildTransitions.next(child(ChildStatus.RUNNING, 3), change(ChildStatus.COMPLETED, 2));
        assertThat(next.status()).isEqualTo(ChildStatus.COMPLETED);
        assertThat(next.attempt()).isEqualTo(3);
        assertThat(next.documentId()).isEqualTo("d1");
        assertThat(next.updatedAt()).isEqualTo(T0.plusSeconds(1));

        ChildState failed = ChildTransitions.next(child(ChildStatus.RUNNING, 1),
                change(ChildStatus.FAILED, 1, "robots.txt", ReasonClass.POLICY));
        assertThat(failed.reason()).isEqualTo("robots.txt");
        assertThat(failed.reasonClass()).isEqualTo(ReasonClass.POLICY);
    }

    @Test
    void aFailureWithoutAReasonGetsOneAndCountsAsAnError() {
        ChildState next = ChildTransitions.next(child(ChildStatus.RUNNING, 1), change(ChildStatus.FAILED, 1));
        assertThat(next.status()).isEqualTo(ChildStatus.FAILED);
        assertThat(next.reason()).isEqualTo(ChildTransitions.NO_REASON);
        assertThat(next.reasonClass()).isEqualTo(ReasonClass.ERROR);
        assertThat(next.documentId()).isNull();
    }

    @Test
    void aCancelledChildKeepsItsAttemptAndSaysWhy() {
        ChildState cancelled = ChildTransitions.cancelled(child(ChildStatus.PENDING, 2), T0.plusSeconds(5));
        assertThat(cancelled.status()).isEqualTo(ChildStatus.CANCELLED);
        assertThat(cancelled.attempt()).isEqualTo(2);
        assertThat(cancelled.reason()).isEqualTo("cancelled");
        assertThat(cancelled.updatedAt()).isEqualTo(T0.plusSeconds(5));
    }
}

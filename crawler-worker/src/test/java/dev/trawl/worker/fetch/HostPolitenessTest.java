package dev.trawl.worker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPolitenessTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long NEVER_LATE = Long.MAX_VALUE / 2;

    private long now = 1_000 * SECOND;
    private final HostPoliteness politeness = new HostPoliteness(() -> now, nanos -> now += nanos);

    @Test
    void slotsOfOneKeyAreOneIntervalApartInReservationOrder() {
        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(now);
        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(now + SECOND);
        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(now + 2 * SECOND);
        assertThat(politeness.reserve("other", 0, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(now);
    }

    @Test
    void aSlotLaterThanTheLatestStartIsRefusedAndNothingIsReserved() {
        politeness.reserve("h", 0, Duration.ofSeconds(2), NEVER_LATE);

        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(2), now + SECOND)).isEqualTo(Long.MIN_VALUE);
        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(2), NEVER_LATE)).isEqualTo(now + 2 * SECOND);
    }

    @Test
    void aLongerIntervalLearntAfterARequestCountsFromThatRequest() {
        // robots.txt is requested spaced by the configured delay (here none), then says Crawl-delay: 5
        long robots = politeness.reserve("h", 0, Duration.ZERO, NEVER_LATE);

        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(5), NEVER_LATE)).isEqualTo(robots + 5 * SECOND);
    }

    @Test
    void theIntervalARequestWasReservedWithHoldsForTheNextOne() {
        long page = politeness.reserve("h", 0, Duration.ofSeconds(5), NEVER_LATE);

        // robots.txt reloaded after its TTL, reserved with the configured delay only
        assertThat(politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(page + 5 * SECOND);
    }

    @Test
    void aNewlyAcquiredPartitionWaitsOneIntervalFromTheHandOverBeforeItsFirstRequest() {
        politeness.partitionsAcquired(List.of(3));
        long handOver = now;

        assertThat(politeness.reserve("h", 3, Duration.ofSeconds(2), NEVER_LATE)).isEqualTo(handOver + 2 * SECOND);
        assertThat(politeness.reserve("h", 3, Duration.ofSeconds(2), NEVER_LATE)).isEqualTo(handOver + 4 * SECOND);
        now += SECOND / 2;
        assertThat(politeness.reserve("k", 3, Duration.ofSeconds(1), NEVER_LATE)).isEqualTo(handOver + SECOND);
        assertThat(politeness.reserve("k", 3, Duration.ofSeconds(1), now)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void partitionsHeldAllAlongAndTasksWithoutAPartitionDoNotWait() {
        politeness.partitionsAcquired(List.of(3));

        assertThat(politeness.reserve("h", 4, Duration.ofSeconds(2), NEVER_LATE)).isEqualTo(now);
        assertThat(politeness.reserve("k", HostPoliteness.NO_PARTITION, Duration.ofSeconds(2), NEVER_LATE))
                .isEqualTo(now);
    }

    @Test
    void theHandOverWaitIsOverOnceTheIntervalHasPassed() {
        politeness.partitionsAcquired(List.of(3));
        now += 3 * SECOND;

        assertThat(politeness.reserve("h", 3, Duration.ofSeconds(2), NEVER_LATE)).isEqualTo(now);
    }

    @Test
    void aRequestWaitsOneIntervalAfterThePreviousOneReallyStartedWhenThatOneWasLate() throws Exception {
        long first = politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE);
        long second = politeness.reserve("h", 0, Duration.ofSeconds(1), NEVER_LATE);
        now = first + SECOND / 4; // the first thread woke a quarter second late
        politeness.begin("h", 0, Duration.ofSeconds(1));
        long firstStarted = now;

        now = second;
        politeness.begin("h", 0, Duration.ofSeconds(1));

        assertThat(now).isEqualTo(firstStarted + SECOND);
    }

    @Test
    void awaitReservesWaitsAndBegins() throws Exception {
        politeness.await("h", 0, Duration.ofSeconds(2));
        long first = now;
        politeness.await("h", 0, Duration.ofSeconds(2));

        assertThat(now).isEqualTo(first + 2 * SECOND);
    }

    @Test
    void aNewOwnerWaitsTheDelayItsPreviousOwnerKeptEvenBeforeItKnowsTheHostsOwn() {
        politeness.partitionsAcquired(List.of(3));
        long handOver = now;
        politeness.previousOwnerDelay(3, Duration.ofSeconds(4));

        // robots.txt of a host this worker never read: spaced by the configured delay (none), yet not before 4 s
        assertThat(politeness.reserve("h", 3, Duration.ZERO, NEVER_LATE)).isEqualTo(handOver + 4 * SECOND);
        assertThat(politeness.reserve("k", 4, Duration.ZERO, NEVER_LATE)).isEqualTo(now);
    }

    @Test
    void theDelayKeptIsTheLongestWhoseGapHasNotRunOutThePreviousOwnersIncluded() throws Exception {
        assertThat(politeness.delayKept(3)).isZero();
        politeness.partitionsAcquired(List.of(3));
        politeness.previousOwnerDelay(3, Duration.ofSeconds(4));
        assertThat(politeness.delayKept(3)).isEqualTo(Duration.ofSeconds(4));

        now += 4 * SECOND;
        politeness.begin("h", 3, Duration.ofSeconds(1));
        politeness.begin("k", 3, Duration.ZERO);
        assertThat(politeness.delayKept(3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(politeness.delayKept(4)).isZero();

        now += SECOND;
        assertThat(politeness.delayKept(3)).isZero();
    }

    @Test
    void onceARequestsResponseIsInTheNextWaitsOneIntervalFromThen() throws Exception {
        politeness.begin("h", 0, Duration.ofSeconds(1));
        long started = now;
        now += SECOND / 2;
        politeness.requestEnded("h", 0);

        now = started + SECOND;
        politeness.begin("h", 0, Duration.ofSeconds(1));

        assertThat(now).isEqualTo(started + SECOND + SECOND / 2);
        assertThat(politeness.delayKept(0)).isEqualTo(Duration.ofSeconds(1));
    }
}

package dev.trawl.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeartbeatScheduleTest {

    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SWEEP = INTERVAL / 20;

    @Test
    void connectionsOpenedTogetherHaveTheirFirstHeartbeatsSpreadOverTheFirstInterval() {
        Random random = new Random(42);
        List<HeartbeatSchedule> schedules = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            schedules.add(new HeartbeatSchedule(INTERVAL, 0, random));
        }

        // sweeps every twentieth of an interval: one burst for all would be one sweep, twenty own schedules many
        Set<Long> sweepsWithAHeartbeat = new HashSet<>();
        for (long now = 0; now <= INTERVAL; now += SWEEP) {
            for (HeartbeatSchedule schedule : schedules) {
                if (schedule.due(now)) {
                    sweepsWithAHeartbeat.add(now);
                }
            }
        }
        assertThat(sweepsWithAHeartbeat).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void everyConnectionGetsOneHeartbeatPerIntervalAfterItsFirst() {
        HeartbeatSchedule schedule = new HeartbeatSchedule(INTERVAL, 0, new Random(7));
        List<Long> beats = new ArrayList<>();
        for (long now = 0; now < 10 * INTERVAL; now += SWEEP) {
            if (schedule.due(now)) {
                beats.add(now);
            }
        }
        assertThat(beats).hasSizeBetween(9, 10);
        for (int i = 1; i < beats.size(); i++) {
            assertThat(beats.get(i) - beats.get(i - 1)).isBetween(INTERVAL - SWEEP, INTERVAL + SWEEP);
        }
    }

    @Test
    void aLateSweepDoesNotSendTwoHeartbeatsWithinHalfAnInterval() {
        HeartbeatSchedule schedule = new HeartbeatSchedule(INTERVAL, 0, new Random(7));
        long late = 5 * INTERVAL; // the sweep stalled for several intervals

        assertThat(schedule.due(late)).isTrue();
        assertThat(schedule.due(late + INTERVAL / 2 - 1)).isFalse();
        assertThat(schedule.due(late + INTERVAL / 2)).isTrue();
    }
}

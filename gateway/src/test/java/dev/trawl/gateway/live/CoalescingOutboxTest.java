package dev.trawl.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The flow control every live client shares, without sockets or threads: time is a number the test moves, the
 * timer a queue the test runs, and the connection a list that completes each send when the test says so.
 */
class CoalescingOutboxTest {

    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(50);

    private final FakeTicker ticker = new FakeTicker();
    private final ManualTimer timer = new ManualTimer(ticker);
    private final Client client = new Client();
    private final LongAdder snapshotsTaken = new LongAdder();
    private final CoalescingOutbox<String> outbox = new CoalescingOutbox<>(client, ticker, timer,
            new CoalescingOutbox.Limits(Duration.ofNanos(INTERVAL), 4, 3), snapshotsTaken);

    @Test
    void theFirstSnapshotAfterAQuietSpellGoesOutAtOnceOnTheTimer() {
        outbox.open();

        assertThat(outbox.offer("a", 1, "a1")).isTrue();

        assertThat(client.sent).isEmpty(); // the fan-out thread never writes
        assertThat(timer.delays()).containsExactly(0L);
        timer.runDue();
        assertThat(client.sent).containsExactly("a1");
        assertThat(snapshotsTaken.sum()).isOne();
    }

    @Test
    void aBurstWithinTheIntervalGoesOutAsItsLatestSnapshotWhenTheIntervalHasPassed() {
        outbox.open();
        outbox.offer("a", 1, "a1");
        timer.runDue();
        client.completeAll();

        ticker.advance(ms(10));
        for (int version = 2; version <= 100; version++) {
            outbox.offer("a", version, "a" + version);
        }

        assertThat(timer.delays()).containsExactly(ms(40));
        assertThat(timer.runDue()).isZero(); // not yet
        ticker.advance(ms(40));
        timer.runDue();
        assertThat(client.sent).containsExactly("a1", "a100");
        assertThat(snapshotsTaken.sum()).isEqualTo(2);
    }

    @Test
    void oneSendIsInFlightAtATimeAndWhatArrivesMeanwhileIsCoalescedPerKey() {
        client.holdCompletions = true;
        outbox.open();
        outbox.offer("a", 1, "a1");
        timer.runDue();
        assertThat(client.sent).containsExactly("a1");

        ticker.advance(INTERVAL);
        for (int version = 2; version <= 1000; version++) {
            outbox.offer("a", version, "a" + version);
            outbox.offer("b", version, "b" + version);
        }
        outbox.sendNow();
        timer.runDue();

        assertThat(client.sent).containsExactly("a1"); // still in flight
        assertThat(outbox.held()).isEqualTo(2); // bounded by the keys, however slowly the client reads
        assertThat(timer.delays()).isEmpty(); // the completion picks it up, no flush needed

        client.completeNext();
        assertThat(client.sent).containsExactly("a1", "a1000");
        client.completeNext();
        assertThat(client.sent).containsExactly("a1", "a1000", "b1000");
    }

    @Test
    void versionsNotAboveWhatTheClientHoldsAreNeverSent() {
        outbox.open();
        outbox.markDelivered("a", 5);

        assertThat(outbox.offer("a", 4, "a4")).isFalse();
        assertThat(outbox.offer("a", 5, "a5")).isFalse();
        assertThat(outbox.offer("a", 7, "a7")).isTrue();
        assertThat(outbox.offer("a", 6, "a6")).isFalse(); // older than the queued one
        timer.runDue();
        assertThat(outbox.offer("a", 7, "a7 again")).isFalse();

        assertThat(client.sent).containsExactly("a7");
        assertThat(outbox.deliveredVersion("a")).isEqualTo(7);
    }

    @Test
    void aQueuedSnapshotTheClientWasAnsweredWithMeanwhileIsDropped() {
        outbox.open();
        outbox.offer("a", 3, "a3");

        outbox.markDelivered("a", 3);

        assertThat(outbox.hasSnapshotQueued("a")).isFalse();
        timer.runDue();
        assertThat(client.sent).isEmpty();
    }

    @Test
    void repliesGoOutAtOnceOnTheCallersThreadAheadOfPacedContent() {
        outbox.open();
        outbox.offer("a", 1, "a1");
        timer.runDue();
        client.completeAll();
        outbox.offer("a", 2, "a2"); // waits for the interval

        outbox.reply("pong");
        outbox.sendNow();

        assertThat(client.sent).containsExactly("a1", "pong");
        ticker.advance(INTERVAL);
        timer.runDue();
        assertThat(client.sent).containsExactly("a1", "pong", "a2");
    }

    @Test
    void repliesBeyondTheLimitAreRefusedWhileTheClientReadsNothing() {
        client.holdCompletions = true;
        outbox.open();
        outbox.reply("r0");
        outbox.sendNow();

        assertThat(outbox.reply(List.of("r1", "r2", "r3"))).isTrue();
        assertThat(outbox.reply(List.of("r4", "r5"))).isFalse(); // all or nothing
        assertThat(outbox.reply("r4")).isTrue();
        assertThat(outbox.reply("r5")).isFalse();

        client.completeAll();
        assertThat(client.sent).containsExactly("r0", "r1", "r2", "r3", "r4");
    }

    @Test
    void theOldestLogEntriesGiveWayAndTheClientIsToldHowManyBeforeTheRest() {
        client.holdCompletions = true;
        outbox.open();
        outbox.reply("stuck");
        outbox.sendNow();

        for (int seq = 1; seq <= 5; seq++) {
            outbox.append("a", seq, "a#" + seq);
        }
        outbox.offer("a", 9, "a9");
        client.completeAll();

        // the notice, then the log (before the snapshot, which already counts what the log says)
        assertThat(client.sent).containsExactly("stuck", "dropped 2", "a#3", "a#4", "a#5", "a9");
        assertThat(outbox.append("a", 4, "a#4 again")).isFalse();
    }

    @Test
    void logEntriesTheClientWasAnsweredWithAreNotSentAgain() {
        outbox.open();
        outbox.append("a", 1, "a#1");
        outbox.append("a", 2, "a#2");

        outbox.logDelivered("a", 1);
        timer.runDue();

        assertThat(client.sent).containsExactly("a#2");
    }

    @Test
    void aRemovalReplacesWhatWasQueuedForItsKeyAndTheKeyStartsAfresh() {
        outbox.open();
        outbox.offer("a", 5, "a5");
        timer.runDue();
        client.completeAll();
        ticker.advance(INTERVAL);
        outbox.offer("a", 6, "a6");
        outbox.append("a", 1, "a#1");
        outbox.offer("b", 1, "b1");

        outbox.remove("a", "removed a");
        outbox.offer("a", 1, "a1 again"); // the job appears again

        timer.runDue();
        assertThat(client.sent).containsExactly("a5", "removed a", "b1", "a1 again");
    }

    @Test
    void forgettingAKeyDropsWhatWasQueuedForIt() {
        outbox.open();
        outbox.offer("a", 5, "a5");
        outbox.append("a", 1, "a#1");
        outbox.offer("b", 1, "b1");

        outbox.forget("a");
        timer.runDue();

        assertThat(client.sent).containsExactly("b1");
        assertThat(outbox.deliveredVersion("a")).isEqualTo(CoalescingOutbox.NOTHING);
    }

    @Test
    void theLastItemEndsTheOutboxOnceSentAndNothingFollowsIt() {
        client.holdCompletions = true;
        outbox.open();
        outbox.reply("opening");
        outbox.sendNow();
        outbox.offer("a", 2, "a2 terminal");
        outbox.reply("after the end");

        client.completeNext(); // the opening; then both go in one batch, the reply first
        assertThat(client.sent).containsExactly("opening", "after the end");
        client.completeNext();
        assertThat(client.sent).containsExactly("opening", "after the end", "a2 terminal");
        assertThat(client.ended).isZero(); // the terminal snapshot is still on its way
        assertThat(outbox.offer("a", 3, "a3")).isFalse();

        client.completeNext();
        assertThat(client.ended).isOne();
        assertThat(outbox.isClosed()).isTrue();
        assertThat(client.sent).last().isEqualTo("a2 terminal");
    }

    @Test
    void itemsQueuedAfterTheLastOneAreDroppedEvenInTheSameBatch() {
        outbox.open();
        outbox.reply("removed");
        outbox.reply("heartbeat");

        outbox.sendNow();

        assertThat(client.sent).containsExactly("removed");
        assertThat(client.ended).isOne();
    }

    @Test
    void aFailedSendClosesTheOutboxAndDropsEverythingQueued() {
        client.holdCompletions = true;
        outbox.open();
        outbox.offer("a", 1, "a1");
        timer.runDue();
        outbox.offer("b", 1, "b1");

        client.failNext(new IOException("broken pipe"));

        assertThat(client.failures).extracting(Throwable::getMessage).containsExactly("broken pipe");
        assertThat(outbox.isClosed()).isTrue();
        assertThat(outbox.held()).isZero();
        assertThat(outbox.offer("b", 2, "b2")).isFalse();
        assertThat(client.sent).containsExactly("a1");
    }

    @Test
    void aSendThatThrowsCountsAsFailed() {
        client.throwOnSend = new IllegalStateException("session closed");
        outbox.open();

        outbox.reply("r");
        outbox.sendNow();

        assertThat(client.failures).extracting(Throwable::getMessage).containsExactly("session closed");
        assertThat(outbox.isClosed()).isTrue();
    }

    @Test
    void theSendInFlightIsTimedWithTheTickerUntilItCompletes() {
        client.holdCompletions = true;
        outbox.open();
        assertThat(outbox.sendingForNanos(ticker.nanos())).isZero();

        ticker.advance(7);
        outbox.reply("r");
        outbox.sendNow();
        ticker.advance(3_000);

        assertThat(outbox.sendingForNanos(ticker.nanos())).isEqualTo(3_000);
        assertThat(outbox.lastSendNanos()).isEqualTo(7);
        client.completeAll();
        assertThat(outbox.sendingForNanos(ticker.nanos())).isZero();
        assertThat(outbox.idle()).isTrue();
    }

    @Test
    void nothingIsSentBeforeTheConnectionOpens() {
        outbox.offer("a", 1, "a1");
        outbox.reply("opening");
        outbox.sendNow();

        assertThat(client.sent).isEmpty();
        assertThat(timer.delays()).isEmpty();

        outbox.open();
        assertThat(client.sent).containsExactly("opening", "a1");
    }

    @Test
    void sendsThatCompleteInlineLoopInsteadOfRecursing() {
        CoalescingOutbox<String> roomy = new CoalescingOutbox<>(client, ticker, timer,
                new CoalescingOutbox.Limits(Duration.ofNanos(INTERVAL), 100_000, 3), snapshotsTaken);
        roomy.open();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            many.add("r" + i);
        }

        roomy.reply(many);
        roomy.sendNow();

        assertThat(client.sent).hasSize(100_000); // one batch: recursing this deep would overflow the stack
        assertThat(client.maxDepth).isOne();
    }

    @Test
    void aTimerThatRefusesWorkAtShutdownIsTolerated() {
        timer.refuse = true;
        outbox.open();

        assertThat(outbox.offer("a", 1, "a1")).isTrue();
        assertThat(client.sent).isEmpty();
    }

    @Test
    void closingDropsEverythingAndStopsSending() {
        outbox.open();
        outbox.offer("a", 1, "a1");

        outbox.close();
        timer.runDue();

        assertThat(client.sent).isEmpty();
        assertThat(outbox.reply("r")).isTrue(); // dropped silently: the owner is closing anyway
        assertThat(outbox.held()).isZero();
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Records what is sent; completes each send inline unless told to hold completions. */
    static final class Client implements CoalescingOutbox.Connection<String> {
        final List<String> sent = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        final ArrayDeque<CoalescingOutbox.Completion> inFlight = new ArrayDeque<>();
        boolean holdCompletions;
        RuntimeException throwOnSend;
        int ended;
        int depth;
        int maxDepth;

        @Override
        public void send(String item, CoalescingOutbox.Completion done) {
            depth++;
            maxDepth = Math.max(maxDepth, depth);
            try {
                if (throwOnSend != null) {
                    throw throwOnSend;
                }
                sent.add(item);
                if (holdCompletions) {
                    inFlight.add(done);
                } else {
                    done.sent();
                }
            } finally {
                depth--;
            }
        }

        void completeNext() {
            assertThat(inFlight).as("a send in flight").hasSize(1);
            inFlight.poll().sent();
        }

        void completeAll() {
            while (!inFlight.isEmpty()) {
                inFlight.poll().sent();
            }
        }

        void failNext(Throwable error) {
            inFlight.poll().failed(error);
        }

        @Override
        public void failed(Throwable error) {
            failures.add(error);
        }

        @Override
        public boolean isLast(String item) {
            return item.endsWith("terminal") || item.equals("removed");
        }

        @Override
        public void ended() {
            ended++;
        }

        @Override
        public String logDropped(long count) {
            return "dropped " + count;
        }
    }
}

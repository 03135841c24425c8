package dev.trawl.gateway.live;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/** The flushes an outbox scheduled, run by the test once its {@link FakeTicker} says they are due. */
final class ManualTimer implements CoalescingOutbox.Timer {

    private record Scheduled(Runnable flush, long delay, long dueAt) {
    }

    private final FakeTicker ticker;
    private final List<Scheduled> scheduled = new ArrayList<>();
    boolean refuse;

    ManualTimer(FakeTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public void schedule(Runnable flush, long delayNanos) {
        if (refuse) {
            throw new RejectedExecutionException("shut down");
        }
        scheduled.add(new Scheduled(flush, delayNanos, ticker.nanos() + delayNanos));
    }

    /** The delays of the flushes not run yet. */
    List<Long> delays() {
        return scheduled.stream().map(Scheduled::delay).toList();
    }

    /** Runs the flushes due at the ticker's time (and those they schedule, if due); returns how many ran. */
    int runDue() {
        int ran = 0;
        while (true) {
            Scheduled due = scheduled.stream().filter(s -> s.dueAt() - ticker.nanos() <= 0).findFirst().orElse(null);
            if (due == null) {
                return ran;
            }
            scheduled.remove(due);
            due.flush().run();
            ran++;
        }
    }
}

package dev.trawl.aggregator;

import java.nio.file.Path;
import java.util.Map;

/** An aggregator instance in its own JVM, for tests that kill it: args = bootstrap, application id, state dir. */
public final class AggregatorProcessMain {

    private AggregatorProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProgressAggregator aggregator = new ProgressAggregator(
                AggregatorFailoverTest.settings(args[0], args[1], Path.of(args[2])));
        aggregator.start();
        Thread.currentThread().join();
    }

    static Map<String, Object> fastFailover() {
        return Map.of("consumer.session.timeout.ms", 6000, "consumer.heartbeat.interval.ms", 1000);
    }
}

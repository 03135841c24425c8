package dev.trawl.bench.gateway;

import dev.trawl.aggregator.ProgressAggregator;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link ProgressAggregator} with default settings in a JVM of its own, as it is deployed, for the end-to-end
 * benchmark. Args: bootstrap servers. Runs until the JVM is stopped.
 */
public final class AggregatorProcess {

    private AggregatorProcess() {
    }

    public static void main(String[] args) throws Exception {
        ProgressAggregator aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(args[0],
                Files.createTempDirectory("bench-e2e-aggregator")));
        Runtime.getRuntime().addShutdownHook(new Thread(aggregator::close));
        aggregator.start();
        new CountDownLatch(1).await();
    }
}

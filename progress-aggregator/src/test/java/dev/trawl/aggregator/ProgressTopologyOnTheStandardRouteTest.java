package dev.trawl.aggregator;

import dev.trawl.aggregator.streamsinternals.StreamsInternals;

/**
 * Every behaviour of {@link ProgressTopologyTest} with the workarounds of Kafka Streams internals switched off:
 * Streams' caching stores instead of the write-behind stores, snapshots published by a punctuation instead of the
 * commit hook, no commit pacing. What an operator gets with {@code trawl.aggregator.streams-internals.*=false}.
 */
class ProgressTopologyOnTheStandardRouteTest extends ProgressTopologyTest {

    @Override
    AggregatorHarness harness() {
        return new AggregatorHarness(StreamsInternals.standardRoute());
    }
}

package dev.trawl.aggregator;

import dev.trawl.aggregator.streamsinternals.StreamsInternals;

/**
 * Every behaviour of {@link ProgressTopologyTest} with only the write-behind stores switched off
 * ({@code trawl.aggregator.streams-internals.write-behind-store=false}): the commit hook flushes Streams' caching
 * stores instead.
 */
class ProgressTopologyWithoutWriteBehindStoresTest extends ProgressTopologyTest {

    @Override
    AggregatorHarness harness() {
        return new AggregatorHarness(new StreamsInternals(false, true, true));
    }
}

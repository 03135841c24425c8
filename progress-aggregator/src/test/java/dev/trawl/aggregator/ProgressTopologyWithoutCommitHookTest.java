package dev.trawl.aggregator;

import dev.trawl.aggregator.streamsinternals.StreamsInternals;

/**
 * Every behaviour of {@link ProgressTopologyTest} with only the commit hook switched off
 * ({@code trawl.aggregator.streams-internals.commit-hook=false}, which turns pacing off too): snapshots are published
 * by a punctuation every {@code commit.interval.ms}, into the write-behind stores.
 */
class ProgressTopologyWithoutCommitHookTest extends ProgressTopologyTest {

    @Override
    AggregatorHarness harness() {
        return new AggregatorHarness(new StreamsInternals(true, false, true));
    }
}

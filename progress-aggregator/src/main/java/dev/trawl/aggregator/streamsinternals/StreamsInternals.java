package dev.trawl.aggregator.streamsinternals;

/**
 * The switches of the aggregator's workarounds of Kafka Streams internals ({@code trawl.aggregator.streams-internals.*},
 * each on by default). Each pays for itself in the whole-pipeline benchmark (docs/aggregator.md); off takes Streams'
 * public route, with the same exact counts, should an upgrade break what a workaround relies on before it is
 * fixed. {@code StreamsInternalsContractTest} fails when an upgrade changes that.
 *
 * @param writeBehindStore the parents and children stores are {@link WriteBehindStore}s (live objects, serialised
 *                         once per key and commit); off: Streams' caching key-value stores
 * @param commitHook       due snapshots are published right before each commit by a {@link CommitHook}, in the
 *                         transaction of the events they count; off: from a wall-clock punctuation every
 *                         {@code commit.interval.ms}, so they commit with the next commit
 * @param commitPacing     commits are asked for by how far behind its input a stream thread is ({@link CommitPacing},
 *                         {@link LagTrackingClientSupplier}); off: Streams commits every {@code commit-interval}.
 *                         Pacing needs the commit hook (it tells when a commit ended): without it, pacing is off too
 */
public record StreamsInternals(boolean writeBehindStore, boolean commitHook, boolean commitPacing) {

    /** Every workaround on: how the aggregator runs unless told otherwise. */
    public static StreamsInternals defaults() {
        return new StreamsInternals(true, true, true);
    }

    /** Every workaround off: Streams' public route throughout. */
    public static StreamsInternals standardRoute() {
        return new StreamsInternals(false, false, false);
    }

    /** Whether commits are paced: the pacing switch and the hook it needs are on. */
    public boolean pacesCommits() {
        return commitPacing && commitHook;
    }
}

package dev.trawl.worker.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the committed offset of each owned task partition says, beyond the offset itself. Kafka commits a prefix:
 * everything before a partition's committed offset is reported. Tasks that finish out of order, behind one still
 * running or deferred, are committed too, with their offsets listed in the committed offset's metadata; a worker
 * that takes the partition over (or this one after a rewind) skips them instead of crawling them again. The
 * metadata also carries the longest politeness delay the committing worker was keeping for a host of the
 * partition, so that a next owner, which knows nothing of its requests, waits that long after the hand-over.
 *
 * <p>Metadata: {@code r1:}, comma-separated ranges of offsets after the committed one as base-36 distances from it
 * ({@code 3} or {@code 3-7}), then, when a delay is kept, {@code /} and the delay in milliseconds (base 36):
 * {@code r1:1-3,5/334}. It must stay under the broker's {@code offset.metadata.max.length} (4096 by default):
 * {@link #stage} leaves out what does not fit, for a later transaction.
 */
final class OffsetLedger {

    static final int MAX_METADATA_CHARS = 4000;
    /** Far more than a batch can finish out of order; a longer range is not this worker's writing. */
    private static final long MAX_RANGE = 1_000_000;
    private static final String VERSION = "r1:";
    private static final Logger log = LoggerFactory.getLogger(OffsetLedger.class);

    /** What a committed offset's metadata says. */
    record Committed(NavigableSet<Long> reported, long delayKeptMs) {
    }

    /** What to commit for one partition. */
    record Staged(OffsetAndMetadata offset, List<Long> included, int prefix, NavigableSet<Long> beyond) {
    }

    /** Per owned partition whose commit was read: reported offsets at or after the committed one. */
    private final Map<TopicPartition, NavigableSet<Long>> reported = new HashMap<>();

    boolean isLoaded(TopicPartition partition) {
        return reported.containsKey(partition);
    }

    /**
     * Takes a partition's committed offset and metadata as read from the group (null: nothing committed).
     *
     * @return the delay its committer was keeping for a host of the partition, in milliseconds
     */
    long load(TopicPartition partition, OffsetAndMetadata committed) {
        Committed read = committed == null ? new Committed(new TreeSet<>(), 0)
                : decode(committed.offset(), committed.metadata(), partition);
        reported.put(partition, read.reported());
        return read.delayKeptMs();
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(reported::remove);
    }

    void clear() {
        reported.clear();
    }

    boolean isReported(TopicPartition partition, long offset) {
        NavigableSet<Long> offsets = reported.get(partition);
        return offsets != null && offsets.contains(offset);
    }

    /**
     * Works out the commit that reports {@code finished} on a partition whose polled records are {@code polled}
     * (offsets in order), the first {@code prefix} of them reported already.
     *
     * @param finished    offsets of {@code polled} whose outcomes are ready, ascending
     * @param delayKeptMs the longest delay this worker keeps for a host of the partition (for a next owner)
     * @return the offset to commit (after the longest reported prefix) with the later reported offsets as metadata,
     *         the offsets of {@code finished} it reports (a tail may be left out when the metadata would be too long),
     *         the new prefix and the reported offsets beyond the committed one
     */
    Staged stage(TopicPartition partition, long[] polled, int prefix, List<Long> finished, long delayKeptMs) {
        NavigableSet<Long> before = reported.getOrDefault(partition, new TreeSet<>());
        Staged all = stage(before, polled, prefix, finished, delayKeptMs);
        if (all.offset().metadata().length() <= MAX_METADATA_CHARS) {
            return all;
        }
        // the longest head of finished that fits (none at worst: what was committed before fitted then)
        int fits = 0;
        int tooLong = finished.size();
        while (tooLong - fits > 1) {
            int middle = (fits + tooLong) >>> 1;
            if (stage(before, polled, prefix, finished.subList(0, middle), delayKeptMs).offset().metadata().length()
                    <= MAX_METADATA_CHARS) {
                fits = middle;
            } else {
                tooLong = middle;
            }
        }
        return stage(before, polled, prefix, finished.subList(0, fits), delayKeptMs);
    }

    private static Staged stage(NavigableSet<Long> before, long[] polled, int prefix, List<Long> take,
                                long delayKeptMs) {
        NavigableSet<Long> all = new TreeSet<>(before);
        all.addAll(take);
        int p = prefix;
        while (p < polled.length && all.contains(polled[p])) {
            p++;
        }
        long committed = p < polled.length ? polled[p] : polled[polled.length - 1] + 1;
        NavigableSet<Long> beyond = all.tailSet(committed, true);
        return new Staged(new OffsetAndMetadata(committed, encode(committed, beyond, delayKeptMs)), List.copyOf(take),
                p, beyond);
    }

    /** Records a committed {@link #stage}. */
    void apply(TopicPartition partition, Staged staged) {
        reported.put(partition, new TreeSet<>(staged.beyond()));
    }

    static String encode(long committed, NavigableSet<Long> beyond, long delayKeptMs) {
        if (beyond.isEmpty() && delayKeptMs <= 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(VERSION);
        long start = -1;
        long end = -1;
        for (long offset : beyond) {
            long distance = offset - committed;
            if (start >= 0 && distance == end + 1) {
                end = distance;
                continue;
            }
            appendRange(out, start, end);
            start = distance;
            end = distance;
        }
        appendRange(out, start, end);
        if (delayKeptMs > 0) {
            out.append('/').append(Long.toString(delayKeptMs, 36));
        }
        return out.toString();
    }

    private static void appendRange(StringBuilder out, long start, long end) {
        if (start < 0) {
            return;
        }
        if (out.length() > VERSION.length()) {
            out.append(',');
        }
        out.append(Long.toString(start, 36));
        if (end > start) {
            out.append('-').append(Long.toString(end, 36));
        }
    }

    static Committed decode(long committed, String metadata, TopicPartition partition) {
        NavigableSet<Long> offsets = new TreeSet<>();
        if (metadata == null || metadata.isEmpty()) {
            return new Committed(offsets, 0);
        }
        if (!metadata.startsWith(VERSION)) {
            log.warn("{}: committed metadata '{}' is not this worker's; later tasks will be crawled again",
                    partition, metadata);
            return new Committed(offsets, 0);
        }
        try {
            String body = metadata.substring(VERSION.length());
            int slash = body.indexOf('/');
            String ranges = slash < 0 ? body : body.substring(0, slash);
            long delayKeptMs = slash < 0 ? 0 : Long.parseLong(body.substring(slash + 1), 36);
            for (String range : ranges.isEmpty() ? new String[0] : ranges.split(",")) {
                int dash = range.indexOf('-');
                long start = Long.parseLong(dash < 0 ? range : range.substring(0, dash), 36);
                long end = dash < 0 ? start : Long.parseLong(range.substring(dash + 1), 36);
                if (start < 0 || end < start || end - start > MAX_RANGE) {
                    throw new NumberFormatException("range " + range);
                }
                for (long distance = start; distance <= end; distance++) {
                    offsets.add(committed + distance);
                }
            }
            return new Committed(offsets, Math.max(0, delayKeptMs));
        } catch (NumberFormatException e) {
            // crawling a few tasks twice is harmless (same event ids); skipping one wrongly would lose it
            log.warn("{}: unreadable committed metadata '{}'; later tasks will be crawled again", partition,
                    metadata);
            return new Committed(new TreeSet<>(), 0);
        }
    }
}

package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {

    private static final TopicPartition PARTITION = new TopicPartition("trawl.crawl-tasks", 3);

    private final OffsetLedger ledger = new OffsetLedger();

    private static NavigableSet<Long> offsets(long... values) {
        NavigableSet<Long> set = new TreeSet<>();
        for (long value : values) {
            set.add(value);
        }
        return set;
    }

    @Test
    void reportedOffsetsAfterTheCommittedOneTravelAsCompactRanges() {
        String metadata = OffsetLedger.encode(100, offsets(101, 102, 103, 105, 140), 0);

        assertThat(metadata).isEqualTo("r1:1-3,5,14");
        assertThat(OffsetLedger.decode(100, metadata, PARTITION).reported())
                .containsExactly(101L, 102L, 103L, 105L, 140L);
        assertThat(OffsetLedger.encode(100, offsets(), 0)).isEmpty();
        assertThat(OffsetLedger.decode(100, "", PARTITION).reported()).isEmpty();
    }

    @Test
    void theDelayKeptForTheNextOwnerTravelsWithOrWithoutReportedOffsets() {
        assertThat(OffsetLedger.encode(100, offsets(101), 4_000)).isEqualTo("r1:1/334");
        assertThat(OffsetLedger.encode(100, offsets(), 4_000)).isEqualTo("r1:/334");
        assertThat(OffsetLedger.decode(100, "r1:1/334", PARTITION))
                .isEqualTo(new OffsetLedger.Committed(offsets(101), 4_000));
        assertThat(OffsetLedger.decode(100, "r1:/334", PARTITION))
                .isEqualTo(new OffsetLedger.Committed(offsets(), 4_000));

        assertThat(ledger.load(PARTITION, new OffsetAndMetadata(100, "r1:/334"))).isEqualTo(4_000);
        OffsetLedger.Staged staged = ledger.stage(PARTITION, new long[] {100}, 0, List.of(100L), 1_000);
        assertThat(staged.offset()).isEqualTo(new OffsetAndMetadata(101, "r1:/rs"));
    }

    @Test
    void metadataThisWorkerDidNotWriteSkipsNothing() {
        assertThat(OffsetLedger.decode(100, "committed by a tool", PARTITION).reported()).isEmpty();
        assertThat(OffsetLedger.decode(100, "r1:1-?", PARTITION).reported()).isEmpty();
        assertThat(OffsetLedger.decode(100, "r1:5-1", PARTITION).reported()).isEmpty();
    }

    @Test
    void theCommittedOffsetStopsAtTheFirstUnfinishedRecordAndTheRestIsListed() {
        ledger.load(PARTITION, null);
        long[] polled = {10, 11, 12, 13, 14};

        OffsetLedger.Staged staged = ledger.stage(PARTITION, polled, 0, List.of(10L, 12L, 13L), 0);

        assertThat(staged.offset()).isEqualTo(new OffsetAndMetadata(11, "r1:1-2"));
        assertThat(staged.included()).containsExactly(10L, 12L, 13L);
        assertThat(staged.prefix()).isEqualTo(1);
        ledger.apply(PARTITION, staged);
        assertThat(ledger.isReported(PARTITION, 12)).isTrue();
        assertThat(ledger.isReported(PARTITION, 11)).isFalse();

        // 11 ends: the prefix runs over the listed ones to the first record not reported
        OffsetLedger.Staged next = ledger.stage(PARTITION, polled, staged.prefix(), List.of(11L), 0);
        assertThat(next.offset()).isEqualTo(new OffsetAndMetadata(14, ""));
        assertThat(next.prefix()).isEqualTo(4);
    }

    @Test
    void theCommittedOffsetPassesGapsLeftByTransactionMarkers() {
        ledger.load(PARTITION, null);
        long[] polled = {10, 12, 15};

        OffsetLedger.Staged staged = ledger.stage(PARTITION, polled, 0, List.of(10L, 12L, 15L), 0);

        assertThat(staged.offset()).isEqualTo(new OffsetAndMetadata(16, ""));
    }

    @Test
    void reportedOffsetsReadFromTheGroupAreKeptAndExtended() {
        ledger.load(PARTITION, new OffsetAndMetadata(10, "r1:2,5"));
        assertThat(ledger.isReported(PARTITION, 12)).isTrue();
        assertThat(ledger.isReported(PARTITION, 15)).isTrue();
        // polled again from 10, the batch runs to 13 only; 15 is beyond it and must stay listed
        long[] polled = {10, 11, 12, 13};

        OffsetLedger.Staged staged = ledger.stage(PARTITION, polled, 0, List.of(10L, 11L, 13L), 0);

        assertThat(staged.offset()).isEqualTo(new OffsetAndMetadata(14, "r1:1"));
    }

    @Test
    void whatTheMetadataCannotHoldIsLeftForALaterTransaction() {
        ledger.load(PARTITION, null);
        long[] polled = LongStream.range(0, 6_000).map(i -> i * 2).toArray();
        List<Long> everyOtherButTheFirst = new ArrayList<>();
        for (int i = 1; i < polled.length; i += 2) {
            everyOtherButTheFirst.add(polled[i]);
        }

        OffsetLedger.Staged staged = ledger.stage(PARTITION, polled, 0, everyOtherButTheFirst, 0);

        assertThat(staged.offset().metadata().length()).isLessThanOrEqualTo(OffsetLedger.MAX_METADATA_CHARS);
        assertThat(staged.included()).isNotEmpty().hasSizeLessThan(everyOtherButTheFirst.size())
                .isEqualTo(everyOtherButTheFirst.subList(0, staged.included().size()));
        assertThat(OffsetLedger.decode(0, staged.offset().metadata(), PARTITION).reported())
                .containsExactlyElementsOf(staged.included());
    }
}

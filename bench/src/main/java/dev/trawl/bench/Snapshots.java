package dev.trawl.bench;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.topic.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Waiting on parent snapshots read from {@code trawl.parent-progress}. */
public final class Snapshots {

    private Snapshots() {
    }

    /**
     * Reads {@code progress} until every parent of {@code ids} has a snapshot with {@code total} children, i.e.
     * the aggregator has scheduled them all, so a measurement does not share the machine with that backlog.
     *
     * @throws IllegalStateException when that takes longer than {@code timeout}
     */
    public static void awaitTotal(KafkaConsumer<byte[], byte[]> progress, Collection<String> ids, long total,
                                  Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> waiting = new HashSet<>(ids);
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(waiting.size() + " parents not scheduled within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : progress.poll(Duration.ofMillis(200))) {
                ParentProgress snapshot = Topics.PARENT_PROGRESS.valueSerde().deserializer()
                        .deserialize(r.topic(), r.value());
                if (snapshot != null && snapshot.total() == total) {
                    waiting.remove(snapshot.id());
                }
            }
        }
    }
}

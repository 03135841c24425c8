package dev.trawl.aggregator.streamsinternals;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Main consumers that tell {@link CommitPacing} after each poll how many records of their partitions they have not
 * fetched yet; every other client comes from the delegate (Streams' own, or a test's). A stream thread's main
 * consumer has the client id {@code <thread name>-consumer}, which is how the lag finds its thread.
 */
public final class LagTrackingClientSupplier implements KafkaClientSupplier {

    private final CommitPacing pacing;
    private final KafkaClientSupplier delegate;

    public LagTrackingClientSupplier(CommitPacing pacing, KafkaClientSupplier delegate) {
        this.pacing = pacing;
        this.delegate = delegate;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return delegate.getAdmin(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return delegate.getProducer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return delegate.getRestoreConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return delegate.getGlobalConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        String clientId = String.valueOf(config.get(ConsumerConfig.CLIENT_ID_CONFIG));
        String thread = clientId.endsWith("-consumer")
                ? clientId.substring(0, clientId.length() - "-consumer".length()) : clientId;
        return new LagTrackingConsumer(config, thread, pacing);
    }

    private static final class LagTrackingConsumer extends KafkaConsumer<byte[], byte[]> {

        private final String thread;
        private final CommitPacing pacing;
        /** Written after each poll; read by the stream thread that polls, when it decides whether to commit. */
        private volatile long lag;

        LagTrackingConsumer(Map<String, Object> config, String thread, CommitPacing pacing) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.thread = thread;
            this.pacing = pacing;
            pacing.trackLag(thread, () -> lag);
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            long total = 0;
            for (TopicPartition partition : assignment()) {
                OptionalLong partitionLag = currentLag(partition); // from the last fetch: no request
                if (partitionLag.isPresent()) {
                    total += partitionLag.getAsLong();
                }
            }
            lag = total;
            return records;
        }

        @Override
        public void close(CloseOptions option) {
            pacing.forget(thread);
            super.close(option);
        }

        @Override
        public void close() {
            pacing.forget(thread);
            super.close();
        }
    }
}

package dev.trawl.aggregator.streamsinternals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.junit.jupiter.api.Test;

/**
 * What the workarounds of Kafka Streams internals rely on, checked against the Kafka on the classpath: after an
 * upgrade, a failure here names the workaround to fix or switch off ({@code trawl.aggregator.streams-internals.*}).
 * {@link WriteBehindStore}'s contract (the caches are flushed before each commit, and what is written then commits
 * with it) is {@link WriteBehindStoreTest}'s.
 */
class StreamsInternalsContractTest {

    private static final String HOOK = "hook";
    private static final int RECORDS = 300;

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final ConcurrentLinkedQueue<Throwable> streamErrors = new ConcurrentLinkedQueue<>();

    /** Counts its records and forwards the count only from its commit hook, in its own scope. */
    private static final class CountOnCommit implements Processor<String, String, String, String> {
        private long count;

        @Override
        public void init(ProcessorContext<String, String> context) {
            CommitHook hook = context.getStateStore(HOOK);
            hook.beforeCommit(context, () -> {
                if (count > 0) {
                    context.forward(new Record<>("count", Long.toString(count), context.currentSystemTimeMs()));
                    count = 0;
                }
            });
        }

        @Override
        public void process(Record<String, String> record) {
            count++;
        }
    }

    @Test
    void theCommitHookRunsBeforeEveryCommitInItsProcessorsScopeAndItsOutputCommitsWithTheRecords()
            throws Exception {
        String id = "commit-hook-" + UUID.randomUUID().toString().substring(0, 8);
        String input = id + "-input";
        String output = id + "-output";
        createTopics(input, output);
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), input);
        topology.addProcessor("count", CountOnCommit::new, "in");
        topology.addStateStore(CommitHook.builder(HOOK), "count");
        topology.addSink("out", output, Serdes.String().serializer(), Serdes.String().serializer(), "count");

        try (KafkaStreams streams = start(topology, properties(id), new DefaultKafkaClientSupplier());
             KafkaProducer<String, String> producer = producer();
             KafkaConsumer<byte[], byte[]> counts = TopicReader.fromStart(bootstrap, output)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            }
            producer.flush();
            // nothing but the hook forwards: every record is counted once the hook has run before each commit
            AtomicLong counted = new AtomicLong();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : counts.poll(Duration.ofMillis(200))) {
                    counted.addAndGet(Long.parseLong(new String(r.value(), StandardCharsets.UTF_8)));
                }
                return counted.get() >= RECORDS || !streamErrors.isEmpty();
            });
            assertThat(streamErrors).as("stream thread errors (the hook ran outside its processor?)").isEmpty();
            assertThat(counted.get()).as("records counted by the hook's output, read_committed")
                    .isEqualTo(RECORDS);
        }
    }

    /** Records, on the stream thread, what the pacing sees of that thread's lag. */
    private static final class LagProbe implements Processor<String, String, Void, Void> {
        private final CommitPacing pacing;
        private final ConcurrentLinkedQueue<Long> seen;

        LagProbe(CommitPacing pacing, ConcurrentLinkedQueue<Long> seen) {
            this.pacing = pacing;
            this.seen = seen;
        }

        @Override
        public void process(Record<String, String> record) {
            seen.add(pacing.lagOfCallingThread());
        }
    }

    @Test
    void aStreamThreadsMainConsumerIsNamedAfterTheThreadAndReportsItsLagAfterEachPoll() throws Exception {
        String id = "lag-tracking-" + UUID.randomUUID().toString().substring(0, 8);
        String input = id + "-input";
        createTopics(input);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            }
        }
        CommitPacing pacing = CommitPacing.of(Duration.ofMillis(100), 1_000);
        ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), input);
        topology.addProcessor("probe", () -> new LagProbe(pacing, seen), "in");
        Properties props = properties(id);
        // a few records per poll, so most polls leave some not yet fetched
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 10);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);

        try (KafkaStreams streams = start(topology, props,
                new LagTrackingClientSupplier(pacing, new DefaultKafkaClientSupplier()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= RECORDS || !streamErrors.isEmpty());
            assertThat(streamErrors).isEmpty();
            assertThat(seen).as("-1: no lag tracked under the stream thread's name (its consumer's client id is no"
                    + " longer <thread name>-consumer?)").doesNotContain(-1L);
            assertThat(seen).as("a lag after some poll (KafkaConsumer.currentLag)").anyMatch(lag -> lag > 0);
        }
    }

    private KafkaStreams start(Topology topology, Properties props,
                               KafkaClientSupplier clients) {
        KafkaStreams streams = new KafkaStreams(topology, props, clients);
        streams.setUncaughtExceptionHandler(e -> {
            streamErrors.add(e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        return streams;
    }

    private void createTopics(String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(Arrays.stream(names).map(n -> new NewTopic(n, 2, (short) 1)).toList())
                    .all().get();
        }
    }

    private Properties properties(String id) throws Exception {
        return StreamsOnBroker.properties(bootstrap, id);
    }

    private KafkaProducer<String, String> producer() {
        return StreamsOnBroker.producer(bootstrap);
    }
}

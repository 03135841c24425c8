package dev.trawl.testkit;

import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker (KRaft, combined controller + broker) inside this JVM. Tests share one per JVM through
 * {@link #shared()}; the local cluster starts one on a fixed port through {@link #start(int)}.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static EmbeddedBroker shared;
    private static final Deque<AutoCloseable> CLOSE_BEFORE_SHARED = new ArrayDeque<>();

    private final EmbeddedKafkaKraftBroker broker;

    private EmbeddedBroker(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    /** The broker of this JVM, started on first use with every Trawl topic created; stopped at JVM exit. */
    public static synchronized EmbeddedBroker shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedBroker::closeShared, "embedded-broker-shutdown"));
        }
        return shared;
    }

    /**
     * Closes {@code resource} at JVM exit before the shared broker stops (latest registered first), so clients
     * of the broker shut down cleanly instead of waiting for a broker that is gone.
     */
    public static synchronized void closeBeforeShared(AutoCloseable resource) {
        CLOSE_BEFORE_SHARED.push(resource);
    }

    /** Stops what runs on the shared broker, then the broker; at the end of the test run (see the listener). */
    static synchronized void closeShared() {
        if (shared == null) {
            return;
        }
        while (!CLOSE_BEFORE_SHARED.isEmpty()) {
            try {
                CLOSE_BEFORE_SHARED.pop().close();
            } catch (Exception e) {
                System.err.println("closing before the embedded broker failed: " + e);
            }
        }
        shared.close();
        shared = null;
    }

    /**
     * {@link #start()}, with what the broker's storage formatter prints to stdout written to {@code formatterLog}
     * instead (a console of a tool or a benchmark stays readable).
     */
    public static EmbeddedBroker start(Path formatterLog) throws IOException {
        PrintStream console = System.out;
        try (PrintStream formatterOut = new PrintStream(Files.newOutputStream(formatterLog), true,
                StandardCharsets.UTF_8)) {
            System.setOut(formatterOut);
            return start();
        } finally {
            System.setOut(console);
        }
    }

    /**
     * Starts a single-node broker on a free port and creates every Trawl topic. (spring-kafka's KRaft broker
     * cannot be given a port: it ignores {@code kafkaPorts}; the local cluster forwards a fixed one to it.)
     */
    public static EmbeddedBroker start() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperties(Map.of(
                // one broker: without these, exactly-once producers and Streams hang without an error
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "offsets.topic.replication.factor", "1",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false",
                "log.cleaner.backoff.ms", "1000",
                "share.coordinator.state.topic.replication.factor", "1",
                "share.coordinator.state.topic.min.isr", "1"));
        broker.afterPropertiesSet();
        EmbeddedBroker started = new EmbeddedBroker(broker);
        TopicAdmin.ensureTopics(started.bootstrapServers(), Topics.ALL, (short) 1);
        return started;
    }

    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }

    @Override
    public void close() {
        broker.destroy();
    }
}

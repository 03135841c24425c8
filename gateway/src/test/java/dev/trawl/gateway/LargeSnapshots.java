package dev.trawl.gateway;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.event.ProgressDetail;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Snapshots of about 256 KB each (a long activity message), for tests of clients that cannot keep up. */
final class LargeSnapshots {

    static final String LONG_MESSAGE = "x".repeat(256 * 1024);

    private LargeSnapshots() {
    }

    /** {@code p} with a 256 KB activity message. */
    static ParentProgress withActivity(ParentProgress p) {
        return new ParentProgress(p.id(), p.name(), p.status(), p.pending(), p.running(), p.completed(), p.failed(),
                p.cancelled(), p.total(), p.documentCount(), p.bytes(), p.progress(), p.etaSeconds(), p.progressText(),
                p.createdAt(), p.startedAt(), p.updatedAt(), p.finishedAt(), p.warning(), p.version(), "bulk-import",
                ProgressDetail.of("c1", p.version(), 1000, LONG_MESSAGE, null));
    }

    static void send(KafkaProducer<String, ParentProgress> producer, ParentProgress snapshot) throws Exception {
        producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), snapshot.id(), snapshot)).get();
    }

    /** A producer of parent snapshots that takes records up to 2 MB, on the shared broker. */
    static KafkaProducer<String, ParentProgress> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }
}

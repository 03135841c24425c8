package dev.trawl.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.topic.Topic;
import dev.trawl.api.topic.TopicAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TopicAdminOnBrokerTest {

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();

    /**
     * Once {@code ensureTopics} returns, every partition of the topics it created takes a write at the first try:
     * their leaders serve them, so a producer's first batch does not meet {@code NOT_LEADER_OR_FOLLOWER}.
     */
    @Test
    void everyPartitionOfNewTopicsTakesAWriteAtTheFirstTry() throws Exception {
        List<Topic<?, ?>> topics = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            topics.add(new Topic<>("topic-admin-" + UUID.randomUUID(), Serdes.String(), Serdes.String(), t % 2 == 0,
                    12));
        }
        TopicAdmin.ensureTopics(bootstrap, topics, (short) 1);

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                for (int p = 0; p < topic.partitions(); p++) {
                    sent.add(producer.send(new ProducerRecord<>(topic.name(), p, "k", "v")));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                assertThat(f.get().offset()).isZero();
            }
        }
        // idempotent: a second call with the topics there returns as well
        TopicAdmin.ensureTopics(bootstrap, topics, (short) 1);
    }

    /**
     * A topic that exists with fewer partitions than Trawl declares is taken as it is, not waited for: waiting for
     * the declared partitions' leaders would end in ensureTopics' "no serving leader" failure.
     */
    @Test
    void aTopicCreatedBeforeWithFewerPartitionsIsAccepted() throws Exception {
        String name = "topic-admin-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();

            TopicAdmin.ensureTopics(bootstrap, List.of(new Topic<>(name, Serdes.String(), Serdes.String(), false,
                    12)), (short) 1);

            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions())
                    .as("the topic as it was").hasSize(2);
        }
    }
}

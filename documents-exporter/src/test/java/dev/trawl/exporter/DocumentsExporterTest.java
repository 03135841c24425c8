package dev.trawl.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The exporter as a service, against a real (embedded) broker: what it writes, what it refuses. */
class DocumentsExporterTest {

    @TempDir
    Path folder;

    @Test
    void writesEachDocumentOnceAndSendsAnUnreadableRecordToTheDeadLetters() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        TopicAdmin.ensureTopics(bootstrap, Topics.ALL, (short) 1);
        String parent = "p-" + UUID.randomUUID();
        DocumentSaved first = document(parent, "d-1", "# One\n\nfirst page");
        DocumentSaved second = document(parent, "d-2", "# Two \"quoted\"\n");

        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            send(producer, first);
            send(producer, second);
            send(producer, first); // a redelivery: the same document again
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), "d-bad".getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8))).get();
        }

        // command-line arguments: they outrank application.yml (builder properties would not)
        try (ConfigurableApplicationContext exporter = new SpringApplicationBuilder(ExporterApplication.class).run(
                "--server.port=0",
                "--trawl.kafka.bootstrap-servers=" + bootstrap,
                "--trawl.exporter.group-id=exporter-test-" + parent,
                "--trawl.exporter.directory=" + folder,
                // any client setting passes through to the exporter's clients, as security settings do
                "--trawl.kafka.properties.client.id=exporter-test-client-" + parent)) {
            Path parentFolder = folder.resolve(parent);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(markdownFiles(parentFolder)).containsExactlyInAnyOrder("d-1.md", "d-2.md"));
            assertThat(Files.readString(parentFolder.resolve("d-1.md")))
                    .startsWith("---\ndocument_id: \"d-1\"\nparent_id: \"" + parent + "\"\n")
                    .contains("url: \"http://site.test/d-1\"\n", "title: \"Page d-1\"\n")
                    .endsWith("---\n\n# One\n\nfirst page\n");
            assertThat(Files.readString(parentFolder.resolve("d-2.md"))).endsWith("# Two \"quoted\"\n");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                String group = "exporter-test-" + parent;
                var members = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
                assertThat(members).isNotEmpty().allSatisfy(member ->
                        assertThat(member.clientId()).startsWith("exporter-test-client-" + parent));
            }

            List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
            try (var reader = TopicReader.fromStart(bootstrap, Topics.DEAD_LETTERS.name())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    reader.poll(Duration.ofMillis(200)).forEach(deadLetters::add);
                    return deadLetters.stream().anyMatch(this::isOurs);
                });
            }
            ConsumerRecord<byte[], byte[]> letter = deadLetters.stream().filter(this::isOurs).findFirst().orElseThrow();
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(header(letter, Topics.DLT_SOURCE_TOPIC_HEADER)).isEqualTo(Topics.DOCUMENTS.name());
            assertThat(header(letter, Topics.DLT_REASON_HEADER)).contains("SerializationException");
        }
    }

    private boolean isOurs(ConsumerRecord<byte[], byte[]> record) {
        return record.key() != null && "d-bad".equals(new String(record.key(), StandardCharsets.UTF_8))
                && ExporterKafkaConfig.APPLICATION.equals(header(record, Topics.DLT_APPLICATION_HEADER));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static List<String> markdownFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, DocumentSaved document) throws Exception {
        byte[] value = Topics.DOCUMENTS.valueSerde().serializer().serialize(Topics.DOCUMENTS.name(), document);
        producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(),
                document.documentId().getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static DocumentSaved document(String parent, String id, String markdown) {
        return new DocumentSaved(id, parent, "c-" + id, "http://site.test/" + id, "http://site.test/" + id, null,
                "Page " + id, "en", markdown, "hash-" + id, 200, markdown.length(), false,
                Instant.parse("2026-12-07T04:00:00Z"));
    }
}

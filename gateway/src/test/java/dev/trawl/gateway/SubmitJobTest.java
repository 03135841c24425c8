package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.FailureAction;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class SubmitJobTest extends GatewayIntegrationTest {

    private static final String SEED = "\"seeds\":[\"https://example.org/\"]";

    private KafkaConsumer<String, JobEvent> jobEvents;

    static Stream<Arguments> badRequests() {
        String manySeeds = IntStream.range(0, 101).mapToObj(i -> "\"https://example.org/" + i + "\"")
                .collect(Collectors.joining(",", "[", "]"));
        return Stream.of(
                Arguments.of("missing seeds", "{}", "seeds"),
                Arguments.of("empty seeds", "{\"seeds\":[]}", "seeds"),
                Arguments.of("seeds not an array", "{\"seeds\":\"https://example.org/\"}", "seeds"),
                Arguments.of("too many seeds", "{\"seeds\":" + manySeeds + "}", "seeds"),
                Arguments.of("non-http seed", "{\"seeds\":[\"ftp://example.org/\"]}", "seeds[0]"),
                Arguments.of("invalid seed", "{\"seeds\":[\"https://example.org/\",\"not a url\"]}", "seeds[1]"),
                Arguments.of("negative depth", "{" + SEED + ",\"max_depth\":-1}", "max_depth"),
                Arguments.of("absurd depth", "{" + SEED + ",\"max_depth\":101}", "max_depth"),
                Arguments.of("fractional depth", "{" + SEED + ",\"max_depth\":1.5}", "max_depth"),
                Arguments.of("zero pages", "{" + SEED + ",\"max_pages\":0}", "max_pages"),
                Arguments.of("absurd pages", "{" + SEED + ",\"max_pages\":1000001}", "max_pages"),
                Arguments.of("pages as text", "{" + SEED + ",\"max_pages\":\"ten\"}", "max_pages"),
                Arguments.of("same_host as text", "{" + SEED + ",\"same_host\":\"yes\"}", "same_host"),
                Arguments.of("invalid include regex", "{" + SEED + ",\"include\":[\"(unclosed\"]}", "include[0]"),
                Arguments.of("invalid exclude regex", "{" + SEED + ",\"exclude\":[\"ok\",\"[a-\"]}", "exclude[1]"),
                Arguments.of("unknown failure action",
                        "{" + SEED + ",\"error_tolerance\":{\"failure_action\":\"explode\"}}",
                        "error_tolerance.failure_action"),
                Arguments.of("negative tolerance",
                        "{" + SEED + ",\"error_tolerance\":{\"max_child_failures\":-1}}",
                        "error_tolerance.max_child_failures"),
                Arguments.of("blank name", "{" + SEED + ",\"name\":\"  \"}", "name"),
                Arguments.of("misspelt field", "{" + SEED + ",\"max_deph\":2}", "max_deph"),
                Arguments.of("malformed JSON", "{\"seeds\": [", "body"),
                Arguments.of("not an object", "[\"https://example.org/\"]", "body"),
                Arguments.of("empty body", "", "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badSubmissionIsRefusedWithAProblemNamingTheField(String why, String body, String field) throws Exception {
        HttpResponse<String> response = post("/api/jobs", body);

        assertProblem(response, 400, field);
    }

    @Test
    void oversizedBodyIsRefusedWithAProblemNamingTheBody() throws Exception {
        String body = "{" + SEED + ",\"name\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";

        assertProblem(post("/api/jobs", body), 400, "body");
    }

    @BeforeEach
    void listenToJobEvents() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedBroker.shared().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        jobEvents = new KafkaConsumer<>(props, Topics.JOB_EVENTS.keySerde().deserializer(),
                Topics.JOB_EVENTS.valueSerde().deserializer());
        List<TopicPartition> partitions = jobEvents.partitionsFor(Topics.JOB_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        jobEvents.assign(partitions);
        jobEvents.seekToEnd(partitions);
        partitions.forEach(jobEvents::position); // fix the start before anything is submitted
    }

    @AfterEach
    void closeConsumer() {
        jobEvents.close();
    }

    @Test
    void validSubmissionRecordsJobSubmittedAndAnswersWithAPendingSnapshot() throws Exception {
        HttpResponse<String> response = post("/api/jobs", """
                {"name": "News", "seeds": ["HTTPS://Example.org:443/a/../news"], "max_depth": 2, "max_pages": 50,
                 "same_host": false, "include": ["/news/"], "exclude": ["\\\\.pdf$"],
                 "error_tolerance": {"max_child_failures": 3, "failure_action": "mark_warning"}}
                """);

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode snapshot = json(response.body());
        String id = snapshot.get("id").stringValue();
        assertThat(response.headers().firstValue("Location")).contains("/api/jobs/" + id);
        assertThat(snapshot.get("status").stringValue()).isEqualTo("pending");
        assertThat(snapshot.get("version").longValue()).isZero();
        assertThat(snapshot.get("progress_text").stringValue()).isEqualTo("0 pending, 0 running, 0 completed, 0 failed");
        assertThat(snapshot.get("name").stringValue()).isEqualTo("News");

        JobSubmitted submitted = awaitSubmitted(id);
        assertThat(submitted.spec().name()).isEqualTo("News");
        assertThat(submitted.spec().seeds()).containsExactly("https://example.org/news");
        assertThat(submitted.spec().maxDepth()).isEqualTo(2);
        assertThat(submitted.spec().maxPages()).isEqualTo(50);
        assertThat(submitted.spec().sameHost()).isFalse();
        assertThat(submitted.spec().include()).containsExactly("/news/");
        assertThat(submitted.spec().exclude()).containsExactly("\\.pdf$");
        assertThat(submitted.spec().errorTolerance().maxChildFailures()).isEqualTo(3);
        assertThat(submitted.spec().errorTolerance().failureAction()).isEqualTo(FailureAction.MARK_WARNING);
        assertThat(submitted.eventId()).isNotBlank();
    }

    @Test
    void submissionGetsDefaultsAndTheAggregatorsFirstSnapshotWhenItArrivesInTime() throws Exception {
        CompletableFuture<HttpResponse<String>> response = HTTP.sendAsync(
                java.net.http.HttpRequest.newBuilder(uri("/api/jobs"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{" + SEED + "}")).build(),
                HttpResponse.BodyHandlers.ofString());

        // play the aggregator: answer the submission with snapshot version 1
        JobSubmitted submitted = awaitSubmittedAny();
        publish(progress(submitted.parentId(), 1, JobStatus.RUNNING));

        HttpResponse<String> answer = response.get();
        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(json(answer.body()).get("version").longValue()).isEqualTo(1);
        assertThat(json(answer.body()).get("id").stringValue()).isEqualTo(submitted.parentId());
        assertThat(submitted.spec().name()).isEqualTo("example.org");
        assertThat(submitted.spec().maxDepth()).isEqualTo(3);
        assertThat(submitted.spec().maxPages()).isEqualTo(1000);
        assertThat(submitted.spec().sameHost()).isTrue();
        assertThat(submitted.spec().errorTolerance().maxChildFailures()).isZero();
        assertThat(submitted.spec().errorTolerance().failureAction()).isEqualTo(FailureAction.CONTINUE);
    }

    private JobSubmitted awaitSubmitted(String parentId) {
        return awaitEvent(record -> record.key().equals(parentId));
    }

    private JobSubmitted awaitSubmittedAny() {
        return awaitEvent(record -> true);
    }

    private JobSubmitted awaitEvent(java.util.function.Predicate<ConsumerRecord<String, JobEvent>> wanted) {
        List<JobSubmitted> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (ConsumerRecord<String, JobEvent> record : jobEvents.poll(Duration.ofMillis(100))) {
                if (wanted.test(record) && record.value() instanceof JobSubmitted submitted) {
                    assertThat(submitted.parentId()).isEqualTo(record.key());
                    found.add(submitted);
                }
            }
            return !found.isEmpty();
        });
        return found.get(0);
    }

    static void assertProblem(HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).get().asString()
                .startsWith("application/problem+json");
        JsonNode problem = json(response.body());
        assertThat(problem.get("status").intValue()).isEqualTo(status);
        assertThat(problem.get("detail").stringValue()).contains(field);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        Optional.ofNullable(problem.get("errors")).ifPresent(errors ->
                assertThat(errors.findValuesAsString("field")).contains(field));
    }
}

package dev.trawl.local.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.gateway.readmodel.ReadModelConsumer;
import dev.trawl.testkit.EmbeddedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The CLI's Java entry point against a real gateway on the shared embedded broker. No aggregator runs: where a
 * job needs snapshots, the test publishes them to {@code trawl.parent-progress} as the aggregator would.
 */
@Timeout(120)
class TrawlCliTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext gateway;
    private static KafkaProducer<String, ParentProgress> producer;
    private static String url;

    @BeforeAll
    static void startGateway() {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        gateway = new SpringApplicationBuilder(GatewayApplication.class)
                .properties("server.port=0", "trawl.kafka.bootstrap-servers=" + bootstrap).run();
        url = "http://localhost:" + gateway.getEnvironment().getProperty("local.server.port");
        ReadModelConsumer consumer = gateway.getBean(ReadModelConsumer.class);
        await().atMost(Duration.ofSeconds(30)).until(consumer::caughtUp);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producer = new KafkaProducer<>(props, Topics.PARENT_PROGRESS.keySerde().serializer(),
                Topics.PARENT_PROGRESS.valueSerde().serializer());
    }

    @AfterAll
    static void stopGateway() {
        if (producer != null) {
            producer.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void submitWithABadSchemeIsRefusedNamingTheField() {
        Run run = cli("submit", "ftp://example.com/docs/");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).contains("refused").contains("seeds[0]");
    }

    @Test
    void submitWithANonNumericDepthIsRefusedByTheGatewayNamingTheField() {
        Run run = cli("submit", "https://example.com/", "--max-depth", "deep");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("max_depth");
    }

    @Test
    void submittedJobIdIsPrintedAndListShowsItsSnapshot() throws Exception {
        Run submit = cli("submit", "https://example.com/docs/", "--name", "cli listing", "--max-depth", "2",
                "--include", "/docs/", "--exclude", "\\.pdf$", "--failure-action", "mark_warning");

        assertThat(submit.exit).as(submit.err).isZero();
        String id = submit.out.strip();
        assertThat(id).matches("[0-9a-z]{26}");

        publish(progress(id, "cli listing", 3, JobStatus.RUNNING)); // the aggregator's part
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Run list = cli("list");
            assertThat(list.exit).isZero();
            assertThat(list.out).containsPattern(id + " +running +50% +1 pending, 1 running, 2 completed, 0 failed"
                    + " +cli listing");
        });
        assertThat(cli("list", "--status", "completed").out).doesNotContain(id);
        assertThat(cli("list", "--status", "sideways").exit).isEqualTo(2);
    }

    @Test
    void watchFollowsTheSnapshotsAndExitsZeroOnCompletion() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, "cli watch", 1, JobStatus.RUNNING));
        awaitKnown(id);

        Capture capture = new Capture();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> capture.cli().run("watch", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> capture.out().contains("0 completed"));
        publish(progress(id, "cli watch", 3, JobStatus.RUNNING));
        publish(progress(id, "cli watch", 5, JobStatus.COMPLETED));

        assertThat(exit.get(30, TimeUnit.SECONDS)).as(capture.err()).isZero();
        assertThat(capture.out())
                .contains("[" + "#".repeat(30) + "] 100%  0 pending, 0 running, 4 completed, 0 failed  4 documents"
                        + "  ETA done  completed")
                .contains("job " + id + " completed");
        assertThat(capture.out().lines().filter(line -> line.startsWith("["))).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void watchOfAJobThatFailsExitsOne() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, "cli failing", 4, JobStatus.FAILED));
        awaitKnown(id);

        Run run = cli("watch", id);

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.out).contains("job " + id + " failed");
    }

    @Test
    void watchOfAnUnknownJobExitsThree() {
        Run run = cli("watch", Ids.newParentId());

        assertThat(run.exit).isEqualTo(3);
        assertThat(run.err).contains("no job");
    }

    @Test
    void watchOfAJobThatIsDeletedExitsThree() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, "cli removed", 1, JobStatus.RUNNING));
        awaitKnown(id);

        Capture capture = new Capture();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> capture.cli().run("watch", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> capture.out().contains("0 completed"));
        producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), id, null)).get();

        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(capture.err()).contains("removed");
    }

    @Test
    void cancelOfARunningJobIsAcceptedAndOfAFinishedOneRefused() throws Exception {
        String running = Ids.newParentId();
        String finished = Ids.newParentId();
        publish(progress(running, "cli cancel", 2, JobStatus.RUNNING));
        publish(progress(finished, "cli done", 5, JobStatus.COMPLETED));
        awaitKnown(running);
        awaitKnown(finished);

        Run accepted = cli("cancel", running, "--reason", "enough");
        Run refused = cli("cancel", finished);
        Run unknown = cli("cancel", Ids.newParentId());

        assertThat(accepted.exit).as(accepted.err).isZero();
        assertThat(accepted.out).contains("cancel requested for job " + running);
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.err).contains("already ended");
        assertThat(unknown.exit).isEqualTo(3);
    }

    @Test
    void anUnreachableGatewayExitsFour() {
        Run run = new Capture(Map.of("TRAWL_GATEWAY", "http://127.0.0.1:1")).run("list");

        assertThat(run.exit).isEqualTo(4);
        assertThat(run.err).contains("cannot reach the gateway at http://127.0.0.1:1");
    }

    @Test
    void aTypoInAnOptionIsAUsageError() {
        Run run = cli("submit", "https://example.com/", "--max-deph", "2");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("unknown option --max-deph").contains("usage:");
    }

    private static ParentProgress progress(String id, String name, long version, JobStatus status) {
        long total = 4;
        long completed = Math.min(version - 1, total);
        long running = status.isTerminal() ? 0 : 1;
        long pending = Math.max(0, total - completed - running);
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        return new ParentProgress(id, name, status, pending, running, completed, 0, 0, total, completed,
                completed * 100, (double) completed / total, status.isTerminal() ? null : 10L,
                ProgressText.format(pending, running, completed, 0), created, created, created.plusSeconds(version),
                status.isTerminal() ? created.plusSeconds(version) : null, null, version);
    }

    private static void publish(ParentProgress snapshot) throws Exception {
        producer.send(new ProducerRecord<>(Topics.PARENT_PROGRESS.name(), snapshot.id(), snapshot)).get();
    }

    private static void awaitKnown(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> HTTP.send(HttpRequest.newBuilder(
                URI.create(url + "/api/jobs/" + id)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
                == 200);
    }

    private static Run cli(String... args) {
        return new Capture().run(args);
    }

    private record Run(int exit, String out, String err) {
    }

    /** A CLI whose stdout and stderr are captured (not a terminal: one line per snapshot). */
    private static final class Capture {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Map<String, String> env;

        Capture() {
            this(Map.of("TRAWL_GATEWAY", url));
        }

        Capture(Map<String, String> env) {
            this.env = env;
        }

        TrawlCli cli() {
            return new TrawlCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env, false);
        }

        Run run(String... args) {
            int exit = cli().run(args);
            return new Run(exit, out(), err());
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8); // synchronized with the writes
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }
}

package dev.trawl.local.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.id.Ids;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.gateway.readmodel.ReadModelConsumer;
import dev.trawl.testkit.EmbeddedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The CLI against a gateway that requires its API token. */
@Timeout(120)
class TrawlCliTokenTest {

    private static final String TOKEN = "cli-test-token";

    private static ConfigurableApplicationContext gateway;
    private static String url;

    @BeforeAll
    static void startGateway() {
        gateway = new SpringApplicationBuilder(GatewayApplication.class).properties("server.port=0",
                "trawl.kafka.bootstrap-servers=" + EmbeddedBroker.shared().bootstrapServers(),
                "trawl.gateway.api-token=" + TOKEN).run();
        url = "http://localhost:" + gateway.getEnvironment().getProperty("local.server.port");
        await().atMost(Duration.ofSeconds(30)).until(gateway.getBean(ReadModelConsumer.class)::caughtUp);
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void submitWithoutTheTokenIsRefusedAndWithItAccepted() {
        String[] submit = {"submit", "https://example.com/", "--name", "cli token"};

        StringBuilder refused = new StringBuilder();
        assertThat(run(Map.of(), refused, submit)).isEqualTo(2);
        assertThat(refused).contains("token");

        StringBuilder accepted = new StringBuilder();
        assertThat(run(Map.of(), accepted, append(submit, "--token", TOKEN))).isZero();
        assertThat(accepted.toString().strip()).matches("[0-9a-z]{26}");
    }

    @Test
    void watchSendsTheTokenFromTheEnvironment() {
        String unknown = Ids.newParentId();

        assertThat(run(Map.of(), new StringBuilder(), "watch", unknown)).isEqualTo(2); // 401 before the lookup
        assertThat(run(Map.of("TRAWL_TOKEN", TOKEN), new StringBuilder(), "watch", unknown)).isEqualTo(3);
    }

    /** Runs the CLI against this gateway; {@code output} gets stdout and stderr. */
    private static int run(Map<String, String> env, StringBuilder output, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.put("TRAWL_GATEWAY", url);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new TrawlCli(stream, stream, all, false).run(args);
        output.append(bytes.toString(StandardCharsets.UTF_8));
        return exit;
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}

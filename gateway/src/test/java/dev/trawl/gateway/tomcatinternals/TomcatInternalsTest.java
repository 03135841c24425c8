package dev.trawl.gateway.tomcatinternals;

import static dev.trawl.testkit.WsClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import dev.trawl.gateway.GatewayIntegrationTest;
import dev.trawl.testkit.WsClient;
import java.time.Duration;
import org.apache.catalina.Container;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/**
 * What the workarounds of Tomcat's internals rely on, checked on the gateway's own Tomcat: each check fails when a
 * Tomcat upgrade changes it, rather than the workaround silently doing nothing (or the wrong thing).
 * {@link ConnectionAbortValveTest} checks the valve's {@code CLOSE_NOW} on a bare Tomcat.
 */
@Timeout(120)
class TomcatInternalsTest extends GatewayIntegrationTest {

    @Autowired
    InlineSendCompletions completions;

    @Autowired
    ServletWebServerApplicationContext context;

    @Test
    void tomcatStillCompletesWebSocketSendsWithTheTaskTheExecutorRunsInline() {
        assertThat(InlineSendCompletions.sendCompletionClassPresent())
                .as("Tomcat's %s (a Runnable)", InlineSendCompletions.SEND_COMPLETION).isTrue();
    }

    @Test
    void theConnectorTookTheWrappingExecutorAfterStart() {
        assertThat(completions.installed()).as("installed on the connector").isTrue();
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        assertThat(((AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getExecutor())
                .isSameAs(completions);
    }

    @Test
    void tomcatsPollerThreadIsStillNamedSoThatCompletionsOnItAreDispatched() {
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(name -> name.endsWith(InlineSendCompletions.POLLER_SUFFIX));
    }

    @Test
    void webSocketSendCompletionsReachTheExecutorAndRunInline() {
        long before = completions.inlineCompletions();
        String id = Ids.newParentId();
        try (WsClient client = new WsClient(port)) {
            client.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            client.await(type("snapshot", id));
            for (long version = 1; version <= 5; version++) {
                publish(progress(id, version, version == 5 ? JobStatus.COMPLETED : JobStatus.RUNNING));
                long expected = version;
                client.await(m -> type("parent_job_progress", id).test(m)
                        && m.get("version").longValue() == expected);
            }
        }
        // were the task renamed, or completions no longer handed to the executor, this would stay put
        await().atMost(Duration.ofSeconds(10)).until(() -> completions.inlineCompletions() > before);
    }

    @Test
    void theContextHasTheConnectionAbortValve() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        Container[] contexts = server.getTomcat().getHost().findChildren();
        assertThat(contexts).singleElement().satisfies(c -> assertThat(c.getPipeline().getValves())
                .hasAtLeastOneElementOfType(ConnectionAbortValve.class));
    }
}

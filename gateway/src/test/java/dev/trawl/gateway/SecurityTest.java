package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import dev.trawl.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** A gateway with an API token: mutations and subscriptions need it, reads do not; browsers' origins are checked. */
@TestPropertySource(properties = {
        "trawl.gateway.api-token=s3cret-token",
        "trawl.gateway.ws.allowed-origins=https://dashboard.example"})
class SecurityTest extends GatewayIntegrationTest {

    private static final String BODY = "{\"seeds\":[\"https://example.org/\"],\"max_pages\":0}";

    @Test
    void mutationsNeedTheBearerTokenAndReadsDoNot() throws Exception {
        HttpResponse<String> anonymous = post("/api/jobs", BODY);
        SubmitJobTest.assertProblem(anonymous, 401, "token is required");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
        SubmitJobTest.assertProblem(authorizedPost("/api/jobs", "Bearer wrong"), 401, "not valid");
        SubmitJobTest.assertProblem(authorizedPost("/api/jobs/" + Ids.newParentId() + "/cancel", null), 401, "token");

        // with the token the request reaches validation (max_pages 0 is refused there)
        SubmitJobTest.assertProblem(authorizedPost("/api/jobs", "Bearer s3cret-token"), 400, "max_pages");
        assertThat(get("/api/jobs", "application/json").statusCode()).isEqualTo(200);
        assertThat(get("/", "text/html").statusCode()).isEqualTo(200);
    }

    @Test
    void subscriptionsNeedTheTokenAsHeaderOrQueryParameter() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.COMPLETED));
        org.awaitility.Awaitility.await().until(() -> get("/api/jobs/" + id, "application/json").statusCode() == 200);

        SubmitJobTest.assertProblem(get("/api/jobs/" + id + "/stream", "application/x-ndjson"), 401, "token");
        SubmitJobTest.assertProblem(get("/api/jobs/" + id + "/events", "text/event-stream"), 401, "token");
        assertThat(get("/api/jobs/" + id + "/stream?token=s3cret-token", "application/x-ndjson").body())
                .contains("\"version\":1");
        assertThat(HTTP.send(HttpRequest.newBuilder(uri("/api/jobs/" + id + "/events"))
                .header("Authorization", "Bearer s3cret-token").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);

        assertThatThrownBy(() -> new WsClient(port)).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(401));
        try (WsClient byQuery = new WsClient(URI.create("ws://localhost:" + port + "/ws?token=s3cret-token"),
                Map.of());
             WsClient byHeader = new WsClient(URI.create("ws://localhost:" + port + "/ws"),
                     Map.of("Authorization", "Bearer s3cret-token"))) {
            byQuery.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            byHeader.send("{\"op\":\"subscribe\",\"job_id\":\"" + id + "\"}");
            byQuery.await(WsClient.type("snapshot", id));
            byHeader.await(WsClient.type("snapshot", id));
        }
    }

    @Test
    void webSocketHandshakesFromOriginsOutsideTheAllowlistAreRefused() {
        URI ws = URI.create("ws://localhost:" + port + "/ws?token=s3cret-token");
        assertThatThrownBy(() -> new WsClient(ws, Map.of("Origin", "https://evil.example")))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(403));
        new WsClient(ws, Map.of("Origin", "https://dashboard.example")).close();
    }

    @Test
    void errorsAreProblemsWithoutStackTraces() throws Exception {
        HttpResponse<String> noSuchPath = get("/api/nothing-here", "application/json");
        assertThat(noSuchPath.statusCode()).isEqualTo(404);
        assertThat(noSuchPath.body()).doesNotContain("Exception").doesNotContain("\tat ");
        SubmitJobTest.assertProblem(get("/api/jobs?page=x", "application/json"), 400, "page");
        HttpResponse<String> wrongMethod = HTTP.send(HttpRequest.newBuilder(uri("/api/jobs"))
                .header("Authorization", "Bearer s3cret-token").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void openApiDocumentDescribesTheApi() throws Exception {
        HttpResponse<String> docs = get("/v3/api-docs", "application/json");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(json(docs.body()).get("paths").propertyNames())
                .contains("/api/jobs", "/api/jobs/{id}", "/api/jobs/{id}/log", "/api/jobs/{id}/cancel",
                        "/api/documents/{id}");
        assertThat(get("/swagger-ui/index.html", "text/html").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> authorizedPost(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

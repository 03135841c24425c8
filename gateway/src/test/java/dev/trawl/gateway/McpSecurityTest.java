package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** {@code /mcp} on a gateway with an API token (the same configuration as {@link SecurityTest}, one context). */
@TestPropertySource(properties = {
        "trawl.gateway.api-token=s3cret-token",
        "trawl.gateway.ws.allowed-origins=https://dashboard.example"})
class McpSecurityTest extends GatewayIntegrationTest {

    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    @Test
    void everyMcpCallNeedsTheBearerToken() throws Exception {
        HttpResponse<String> anonymous = mcp(LIST, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
        assertThat(mcp(LIST, "Bearer wrong", null).statusCode()).isEqualTo(401);
        // reads too: tools/list and notifications are not open
        assertThat(mcp("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", null, null).statusCode())
                .isEqualTo(401);
        assertThat(HTTP.send(HttpRequest.newBuilder(uri("/mcp?token=s3cret-token"))
                .POST(HttpRequest.BodyPublishers.ofString(LIST)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("the token is not taken from the URL").isEqualTo(401);

        HttpResponse<String> authorized = mcp(LIST, "Bearer s3cret-token", null);
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(json(authorized.body()).at("/result/tools").size()).isEqualTo(7);
    }

    @Test
    void originsOnTheWebSocketAllowlistMayCallAndOthersMayNot() throws Exception {
        assertThat(mcp(LIST, "Bearer s3cret-token", "https://dashboard.example").statusCode()).isEqualTo(200);
        assertThat(mcp(LIST, "Bearer s3cret-token", "https://evil.example").statusCode()).isEqualTo(403);
    }

    private HttpResponse<String> mcp(String body, String authorization, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/mcp")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.trawl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.id.Ids;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The MCP endpoint: JSON-RPC over one POST, the tools against snapshots published to the real topic. */
class McpTest extends GatewayIntegrationTest {

    @Test
    void initializeNegotiatesTheVersionAndToolsListNamesEveryToolWithASchema() throws Exception {
        JsonNode init = rpc("initialize", "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}").get("result");
        assertThat(init.get("protocolVersion").asString()).isEqualTo("2025-03-26");
        assertThat(init.at("/capabilities/tools/listChanged").asBoolean(true)).isFalse();
        assertThat(init.at("/serverInfo/name").asString()).isEqualTo("trawl");
        assertThat(init.at("/serverInfo/version").asString()).isEqualTo("0.1.0");
        assertThat(rpc("initialize", "{\"protocolVersion\":\"1999-01-01\"}").at("/result/protocolVersion").asString())
                .isEqualTo("2025-06-18");
        assertThat(rpc("ping", "{}").get("result").isObject()).isTrue();

        JsonNode tools = rpc("tools/list", "{}").at("/result/tools");
        List<String> names = new ArrayList<>();
        tools.forEach(tool -> {
            names.add(tool.get("name").asString());
            assertThat(tool.at("/inputSchema/type").asString()).as(tool.toString()).isEqualTo("object");
            assertThat(tool.get("description").asString()).isNotBlank();
        });
        assertThat(names).containsExactlyInAnyOrder("submit_crawl", "list_jobs", "get_job", "list_children",
                "get_document", "cancel_job", "wait_for_job");
        JsonNode submit = tools.get(names.indexOf("submit_crawl")).get("inputSchema");
        assertThat(submit.get("properties").propertyNames()).contains("seeds", "name", "max_depth", "max_pages",
                "same_host", "include", "exclude", "error_tolerance");
        assertThat(submit.at("/required/0").asString()).isEqualTo("seeds");
        assertThat(tools.get(names.indexOf("wait_for_job")).at("/inputSchema/properties/timeout_seconds/maximum")
                .asInt()).isEqualTo(120);
    }

    @Test
    void submitCrawlWithABadSeedIsAToolErrorNamingTheField() throws Exception {
        JsonNode result = callTool("submit_crawl", "{\"seeds\":[\"https://example.org/\",\"ftp://nope\"]}");
        assertThat(result.get("isError").asBoolean()).isTrue();
        assertThat(text(result)).contains("seeds[1]").contains("absolute http(s) URL");

        JsonNode wrongType = callTool("submit_crawl", "{\"seeds\":[\"https://example.org/\"],\"max_pages\":\"ten\"}");
        assertThat(wrongType.get("isError").asBoolean()).isTrue();
        assertThat(text(wrongType)).contains("max_pages");
    }

    @Test
    void validSubmitCrawlAnswersTheJobsFirstSnapshotWithItsId() throws Exception {
        JsonNode result = callTool("submit_crawl",
                "{\"seeds\":[\"https://example.org/\"],\"name\":\"mcp crawl\",\"max_depth\":0}");
        assertThat(result.get("isError").asBoolean()).isFalse();
        JsonNode job = result.get("structuredContent");
        assertThat(job.get("id").asString()).isNotBlank();
        assertThat(job.get("name").asString()).isEqualTo("mcp crawl");
        assertThat(job.get("status").asString()).isEqualTo("pending");
        assertThat(json(text(result))).isEqualTo(job);
        // the job is known at once, to REST and to MCP
        assertThat(get("/api/jobs/" + job.get("id").asString(), "application/json").statusCode()).isEqualTo(200);
        assertThat(callTool("get_job", "{\"job_id\":\"" + job.get("id").asString() + "\"}").get("isError")
                .asBoolean()).isFalse();
    }

    @Test
    void getJobAndListJobsShowThePublishedSnapshots() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 2, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !callTool("get_job", "{\"job_id\":\"" + id + "\"}").get("isError").asBoolean());

        JsonNode job = callTool("get_job", "{\"job_id\":\"" + id + "\"}").get("structuredContent");
        assertThat(job.get("version").asLong()).isEqualTo(2);
        assertThat(job.get("status").asString()).isEqualTo("running");
        assertThat(job.get("progress_text").asString()).isEqualTo("2 pending, 1 running, 1 completed, 0 failed");

        JsonNode running = callTool("list_jobs", "{\"status\":\"running\",\"limit\":1000}").get("structuredContent");
        assertThat(running.get("jobs").findValuesAsString("id")).contains(id);
        running.get("jobs").forEach(j -> assertThat(j.get("status").asString()).isEqualTo("running"));
        JsonNode completed = callTool("list_jobs", "{\"status\":\"completed\",\"limit\":1000}")
                .get("structuredContent");
        assertThat(completed.get("jobs").findValuesAsString("id")).doesNotContain(id);
        JsonNode one = callTool("list_jobs", "{\"limit\":1}").get("structuredContent");
        assertThat(one.get("jobs").size()).isEqualTo(1);
        assertThat(one.get("total").asInt()).isGreaterThanOrEqualTo(1);

        JsonNode badStatus = callTool("list_jobs", "{\"status\":\"sleeping\"}");
        assertThat(badStatus.get("isError").asBoolean()).isTrue();
        assertThat(text(badStatus)).contains("status");
        JsonNode unknown = callTool("get_job", "{\"job_id\":\"" + Ids.newParentId() + "\"}");
        assertThat(unknown.get("isError").asBoolean()).isTrue();
        assertThat(text(unknown)).contains("No job");
        assertThat(callTool("list_children", "{\"job_id\":\"" + id + "\"}").at("/structuredContent/total").asInt())
                .isZero();
        assertThat(callTool("list_children", "{\"job_id\":\"" + Ids.newParentId() + "\"}").get("isError")
                .asBoolean()).isTrue();
        assertThat(callTool("get_document", "{\"document_id\":\"no-such-document\"}").get("isError").asBoolean())
                .isTrue();
    }

    @Test
    void listChildrenAndGetDocumentServeWhatTheTopicsHold() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 2, JobStatus.RUNNING));
        String documentId = publishOkAndMissingChild(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> callTool("list_children", "{\"job_id\":\"" + id + "\"}")
                .at("/structuredContent/total").asInt() == 2);

        JsonNode failed = callTool("list_children", "{\"job_id\":\"" + id + "\",\"status\":\"failed\"}")
                .get("structuredContent");
        assertThat(failed.get("total").asInt()).isEqualTo(1);
        assertThat(failed.findValuesAsString("url")).containsExactly(MISSING_URL);
        assertThat(failed.findValuesAsString("reason")).containsExactly("http 404");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !callTool("get_document", "{\"document_id\":\"" + documentId + "\"}").get("isError").asBoolean());
        assertThat(text(callTool("get_document", "{\"document_id\":\"" + documentId + "\"}"))).contains("# OK")
                .contains("body");
    }

    @Test
    void waitForJobAnswersTheTerminalSnapshotOnceItIsPublished() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !callTool("get_job", "{\"job_id\":\"" + id + "\"}").get("isError").asBoolean());

        JsonNode notYet = callTool("wait_for_job", "{\"job_id\":\"" + id + "\",\"timeout_seconds\":0}")
                .get("structuredContent");
        assertThat(notYet.get("terminal").asBoolean()).isFalse();
        assertThat(notYet.at("/job/status").asString()).isEqualTo("running");

        CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(
                rpcRequest(toolCall("wait_for_job", "{\"job_id\":\"" + id + "\",\"timeout_seconds\":60}")),
                HttpResponse.BodyHandlers.ofString());
        publish(progress(id, 2, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10)).until(() -> callTool("get_job", "{\"job_id\":\"" + id + "\"}")
                .at("/structuredContent/version").asLong() == 2);
        assertThat(waiting).as("a non-terminal snapshot does not end the wait").isNotDone();

        publish(progress(id, 5, JobStatus.COMPLETED));
        JsonNode ended = json(waiting.get(30, TimeUnit.SECONDS).body()).at("/result/structuredContent");
        assertThat(ended.get("terminal").asBoolean()).isTrue();
        assertThat(ended.at("/job/status").asString()).isEqualTo("completed");
        assertThat(ended.at("/job/version").asLong()).isEqualTo(5);

        JsonNode cancelEnded = callTool("cancel_job", "{\"job_id\":\"" + id + "\"}");
        assertThat(cancelEnded.get("isError").asBoolean()).isTrue();
        assertThat(text(cancelEnded)).contains("already ended");
        assertThat(callTool("wait_for_job", "{\"job_id\":\"" + id + "\",\"timeout_seconds\":121}").get("isError")
                .asBoolean()).isTrue();
    }

    @Test
    void cancelJobRecordsTheCancelRequest() throws Exception {
        String id = Ids.newParentId();
        publish(progress(id, 1, JobStatus.RUNNING));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !callTool("get_job", "{\"job_id\":\"" + id + "\"}").get("isError").asBoolean());
        JsonNode cancelled = callTool("cancel_job", "{\"job_id\":\"" + id + "\",\"reason\":\"enough\"}");
        assertThat(cancelled.get("isError").asBoolean()).isFalse();
        assertThat(cancelled.at("/structuredContent/job_id").asString()).isEqualTo(id);
        assertThat(cancelled.at("/structuredContent/event_id").asString()).isNotBlank();
    }

    @Test
    void protocolErrorsAreJsonRpcErrors() throws Exception {
        assertThat(rpc("tools/unknown", "{}").at("/error/code").asInt()).isEqualTo(-32601);
        assertThat(rpc("tools/call", "{\"name\":\"no_such_tool\",\"arguments\":{}}").at("/error/code").asInt())
                .isEqualTo(-32602);
        assertThat(rpc("tools/call", "[1]").at("/error/code").asInt()).isEqualTo(-32602);

        HttpResponse<String> badJson = send(rpcRequest("{\"jsonrpc\":\"2.0\",\"id\":1,"));
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(json(badJson.body()).at("/error/code").asInt()).isEqualTo(-32700);
        assertThat(json(badJson.body()).get("id").isNull()).isTrue();

        HttpResponse<String> noVersion = send(rpcRequest("{\"id\":1,\"method\":\"ping\"}"));
        assertThat(noVersion.statusCode()).isEqualTo(400);
        assertThat(json(noVersion.body()).at("/error/code").asInt()).isEqualTo(-32600);
        assertThat(json(send(rpcRequest("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]")).body())
                .at("/error/code").asInt()).isEqualTo(-32600);
    }

    @Test
    void notificationsAreAcceptedWithoutABodyAndGetIsNotAllowed() throws Exception {
        HttpResponse<String> notification = send(rpcRequest(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        assertThat(notification.statusCode()).isEqualTo(202);
        assertThat(notification.body()).isEmpty();
        assertThat(send(HttpRequest.newBuilder(uri("/mcp")).header("Accept", "text/event-stream").GET().build())
                .statusCode()).isEqualTo(405);
    }

    @Test
    void requestsFromAForeignOriginAreRefusedAndTheGatewaysOwnIsAllowed() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}";
        HttpResponse<String> foreign = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Content-Type", "application/json").header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(ping)).build());
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> own = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Content-Type", "application/json").header("Origin", "http://localhost:" + port)
                .POST(HttpRequest.BodyPublishers.ofString(ping)).build());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own.body()).get("id").asInt()).isEqualTo(7);
    }

    private JsonNode rpc(String method, String params) throws Exception {
        HttpResponse<String> response = send(rpcRequest(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode body = json(response.body());
        assertThat(body.get("jsonrpc").asString()).isEqualTo("2.0");
        assertThat(body.get("id").asInt()).isEqualTo(1);
        return body;
    }

    private JsonNode callTool(String tool, String arguments) throws Exception {
        HttpResponse<String> response = send(rpcRequest(toolCall(tool, arguments)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = json(response.body()).get("result");
        assertThat(result).as(response.body()).isNotNull();
        return result;
    }

    private static String toolCall(String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    private static String text(JsonNode result) {
        assertThat(result.at("/content/0/type").asString()).isEqualTo("text");
        return result.at("/content/0/text").asString();
    }

    private HttpRequest rpcRequest(String body) {
        return HttpRequest.newBuilder(uri("/mcp")).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

package dev.trawl.gateway.mcp;

import dev.trawl.api.serde.Json;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /mcp}: the Model Context Protocol's Streamable HTTP transport (revision 2025-06-18) in its stateless form.
 * Each POST carries one JSON-RPC message; a request is answered with one {@code application/json} response (never
 * an SSE stream), a notification or a client's response with {@code 202}. There is no session and no
 * server-initiated stream, so {@code GET} is {@code 405}. Tool calls that wait (submit, cancel, wait_for_job) hold
 * no servlet thread: the answer is a {@link DeferredResult}.
 */
@RestController
class McpController {

    static final String LATEST_VERSION = "2025-06-18";
    static final Set<String> VERSIONS = Set.of(LATEST_VERSION, "2025-03-26");
    static final int MAX_BODY_BYTES = 1024 * 1024;

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;

    private static final Logger log = LoggerFactory.getLogger(McpController.class);
    /** Longer than any tool waits, so the servlet container's async timeout never cuts a call short. */
    private static final Duration ASYNC_TIMEOUT = Duration.ofSeconds(ToolCatalog.MAX_WAIT_SECONDS + 30);

    private final McpTools tools;
    private final OriginPolicy origins;

    McpController(McpTools tools, OriginPolicy origins) {
        this.tools = tools;
        this.origins = origins;
    }

    @GetMapping("/mcp")
    ResponseEntity<Void> stream(HttpServletRequest request) {
        if (!origins.allows(request)) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
        }
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).header(HttpHeaders.ALLOW, "POST").build();
    }

    @PostMapping("/mcp")
    DeferredResult<ResponseEntity<String>> message(HttpServletRequest request) throws IOException {
        DeferredResult<ResponseEntity<String>> answer = new DeferredResult<>(ASYNC_TIMEOUT.toMillis(),
                () -> json(HttpStatus.SERVICE_UNAVAILABLE, error(null, INTERNAL_ERROR, "timed out")));
        ResponseEntity<String> now = handle(request, answer);
        if (now != null) {
            answer.setResult(now);
        }
        return answer;
    }

    /** The response now, or null when {@code answer} will be completed later. */
    private ResponseEntity<String> handle(HttpServletRequest request, DeferredResult<ResponseEntity<String>> answer)
            throws IOException {
        if (!origins.allows(request)) {
            return json(HttpStatus.FORBIDDEN, error(null, INVALID_REQUEST, "origin not allowed"));
        }
        String version = request.getHeader("MCP-Protocol-Version");
        if (version != null && !VERSIONS.contains(version)) {
            return json(HttpStatus.BAD_REQUEST,
                    error(null, INVALID_REQUEST, "unsupported MCP-Protocol-Version " + version));
        }
        JsonNode message;
        try (InputStream body = request.getInputStream()) {
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                return json(HttpStatus.PAYLOAD_TOO_LARGE, error(null, INVALID_REQUEST, "message too large"));
            }
            message = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            return json(HttpStatus.BAD_REQUEST, error(null, PARSE_ERROR, "Parse error: " + e.getOriginalMessage()));
        }
        if (message == null || !message.isObject()) {
            return json(HttpStatus.BAD_REQUEST, error(null, INVALID_REQUEST,
                    "Invalid request: one JSON-RPC message object per POST (no batches)"));
        }
        JsonNode id = message.get("id");
        JsonNode method = message.get("method");
        boolean validId = id == null || id.isString() || id.isIntegralNumber();
        if (!"2.0".equals(message.path("jsonrpc").asString(null)) || !validId) {
            return json(HttpStatus.BAD_REQUEST, error(validId ? id : null, INVALID_REQUEST,
                    "Invalid request: needs \"jsonrpc\": \"2.0\" and a string or integer id"));
        }
        if (method == null && id != null && (message.has("result") || message.has("error"))) {
            return ResponseEntity.accepted().build(); // a client's answer: we never ask, so nothing to match
        }
        if (method == null || !method.isString()) {
            return json(HttpStatus.BAD_REQUEST, error(id, INVALID_REQUEST, "Invalid request: no method"));
        }
        if (id == null) {
            return ResponseEntity.accepted().build(); // notifications (initialized, cancelled) need no action here
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject()) {
            return ok(error(id, INVALID_PARAMS, "Invalid params: must be an object"));
        }
        ObjectNode givenParams = params == null ? Json.MAPPER.createObjectNode() : (ObjectNode) params;
        return switch (method.stringValue()) {
            case "initialize" -> ok(result(id, initialize(givenParams)));
            case "ping" -> ok(result(id, Json.MAPPER.createObjectNode()));
            case "tools/list" -> ok(result(id, ToolCatalog.list()));
            case "tools/call" -> call(id, givenParams, answer);
            default -> ok(error(id, METHOD_NOT_FOUND, "Method not found: " + method.stringValue()));
        };
    }

    private static ObjectNode initialize(JsonNode params) {
        String asked = params.path("protocolVersion").asString(null);
        ObjectNode result = Json.MAPPER.createObjectNode()
                .put("protocolVersion", VERSIONS.contains(asked) ? asked : LATEST_VERSION);
        result.putObject("capabilities").putObject("tools").put("listChanged", false);
        result.putObject("serverInfo").put("name", "trawl").put("version", "0.1.0");
        result.put("instructions", "Trawl crawls websites into Markdown documents. submit_crawl starts a job; "
                + "wait_for_job or get_job follow it; list_children lists its pages and their document_id; "
                + "get_document returns a page's Markdown.");
        return result;
    }

    private ResponseEntity<String> call(JsonNode id, ObjectNode params,
                                        DeferredResult<ResponseEntity<String>> answer) {
        JsonNode name = params.get("name");
        JsonNode arguments = params.get("arguments");
        if (name == null || !name.isString()) {
            return ok(error(id, INVALID_PARAMS, "Invalid params: name must be a tool name"));
        }
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            return ok(error(id, INVALID_PARAMS, "Invalid params: arguments must be an object"));
        }
        JsonNode given = arguments == null || arguments.isNull() ? Json.MAPPER.createObjectNode() : arguments;
        CompletableFuture<ObjectNode> result = tools.call(name.stringValue(), given).orElse(null);
        if (result == null) {
            return ok(error(id, INVALID_PARAMS, "Unknown tool: " + name.stringValue()));
        }
        result.whenComplete((value, failure) -> answer.setResult(failure == null ? ok(result(id, value))
                : ok(error(id, INTERNAL_ERROR, internalError(name.stringValue(), failure)))));
        return null;
    }

    private static String internalError(String tool, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        log.warn("MCP tool {} failed", tool, cause);
        return cause instanceof org.apache.kafka.common.KafkaException
                || cause instanceof java.util.concurrent.TimeoutException
                ? "Kafka is unavailable; retry later" : "Internal error";
    }

    private static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = envelope(id);
        response.set("result", result);
        return response;
    }

    private static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode response = envelope(id);
        response.putObject("error").put("code", code).put("message", message);
        return response;
    }

    private static ObjectNode envelope(JsonNode id) {
        ObjectNode response = Json.MAPPER.createObjectNode().put("jsonrpc", "2.0");
        if (id == null) {
            response.putNull("id");
        } else {
            response.set("id", id);
        }
        return response;
    }

    private static ResponseEntity<String> ok(ObjectNode response) {
        return json(HttpStatus.OK, response);
    }

    private static ResponseEntity<String> json(HttpStatus status, ObjectNode body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body.toString());
    }
}

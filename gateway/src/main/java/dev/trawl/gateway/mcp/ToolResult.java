package dev.trawl.gateway.mcp;

import dev.trawl.api.serde.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code result} of a {@code tools/call}: text content, and the JSON itself as structured content when it is
 * JSON.
 */
final class ToolResult {

    private ToolResult() {
    }

    /** A JSON object: pretty-printed as the text (for clients without structured content) and as structuredContent. */
    static ObjectNode json(Object value) {
        JsonNode tree = Json.MAPPER.valueToTree(value);
        ObjectNode result = text(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree), false);
        result.set("structuredContent", tree);
        return result;
    }

    static ObjectNode text(String text) {
        return text(text, false);
    }

    /** A failure the agent can act on (bad input, unknown job): a normal result with {@code isError}, per MCP. */
    static ObjectNode error(String text) {
        return text(text, true);
    }

    private static ObjectNode text(String text, boolean isError) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.put("isError", isError);
        return result;
    }
}

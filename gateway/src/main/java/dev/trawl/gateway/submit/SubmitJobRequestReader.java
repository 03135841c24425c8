package dev.trawl.gateway.submit;

import dev.trawl.api.serde.Json;
import dev.trawl.gateway.api.InvalidRequestException;
import dev.trawl.gateway.api.InvalidRequestException.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the body of {@code POST /api/jobs} into a {@link SubmitJobRequest}, refusing — with the field named —
 * an oversized or malformed body, an unknown field and a value of the wrong JSON type. The tree is walked by hand
 * rather than bound, so that every refusal says which field is wrong in words a user understands.
 */
public final class SubmitJobRequestReader {

    /** Bodies above this are refused without being read further. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final Set<String> FIELDS =
            Set.of("name", "seeds", "max_depth", "max_pages", "same_host", "include", "exclude", "error_tolerance");
    private static final Set<String> TOLERANCE_FIELDS = Set.of("max_child_failures", "failure_action");

    private final List<Violation> violations = new ArrayList<>();

    private SubmitJobRequestReader() {
    }

    /** @throws InvalidRequestException naming every field at fault */
    public static SubmitJobRequest read(InputStream body) {
        byte[] bytes;
        try {
            bytes = body.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read request body", e);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new InvalidRequestException("body", "larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new InvalidRequestException("body", "malformed JSON: " + e.getOriginalMessage());
        }
        return read(root);
    }

    /** The same checks on an already parsed body (the MCP {@code submit_crawl} tool's arguments). */
    public static SubmitJobRequest read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("body", "must be a JSON object");
        }
        return new SubmitJobRequestReader().request(root);
    }

    private SubmitJobRequest request(JsonNode root) {
        unknownFields(root, FIELDS, "");
        SubmitJobRequest request = new SubmitJobRequest(
                string(root, "name", "name"),
                strings(root, "seeds", "seeds"),
                integer(root, "max_depth", "max_depth"),
                integer(root, "max_pages", "max_pages"),
                bool(root, "same_host", "same_host"),
                strings(root, "include", "include"),
                strings(root, "exclude", "exclude"),
                tolerance(root));
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        return request;
    }

    private SubmitJobRequest.ErrorToleranceRequest tolerance(JsonNode root) {
        JsonNode node = present(root, "error_tolerance");
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            violations.add(new Violation("error_tolerance", "must be an object"));
            return null;
        }
        unknownFields(node, TOLERANCE_FIELDS, "error_tolerance.");
        return new SubmitJobRequest.ErrorToleranceRequest(
                integer(node, "max_child_failures", "error_tolerance.max_child_failures"),
                string(node, "failure_action", "error_tolerance.failure_action"));
    }

    private void unknownFields(JsonNode object, Set<String> known, String prefix) {
        for (String field : object.propertyNames()) {
            if (!known.contains(field)) {
                violations.add(new Violation(prefix + field, "unknown field"));
            }
        }
    }

    /** The field's node, or null when absent or JSON null (both mean "use the default"). */
    private static JsonNode present(JsonNode object, String field) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? null : node;
    }

    private String string(JsonNode object, String field, String path) {
        JsonNode node = present(object, field);
        if (node == null) {
            return null;
        }
        if (!node.isString()) {
            violations.add(new Violation(path, "must be a string"));
            return null;
        }
        return node.stringValue();
    }

    private Long integer(JsonNode object, String field, String path) {
        JsonNode node = present(object, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            violations.add(new Violation(path, "must be an integer"));
            return null;
        }
        return node.longValue();
    }

    private Boolean bool(JsonNode object, String field, String path) {
        JsonNode node = present(object, field);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            violations.add(new Violation(path, "must be true or false"));
            return null;
        }
        return node.booleanValue();
    }

    private List<String> strings(JsonNode object, String field, String path) {
        JsonNode node = present(object, field);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            violations.add(new Violation(path, "must be an array of strings"));
            return null;
        }
        List<String> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isString()) {
                violations.add(new Violation(path + "[" + i + "]", "must be a string"));
            } else {
                values.add(element.stringValue());
            }
        }
        return values;
    }
}

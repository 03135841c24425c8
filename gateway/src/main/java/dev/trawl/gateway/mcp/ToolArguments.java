package dev.trawl.gateway.mcp;

import dev.trawl.gateway.api.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Reads a tool's {@code arguments}; every refusal is an {@link InvalidRequestException} naming the argument. */
final class ToolArguments {

    private final JsonNode arguments;

    ToolArguments(JsonNode arguments, Set<String> known) {
        this.arguments = arguments;
        for (String name : arguments.propertyNames()) {
            if (!known.contains(name)) {
                throw new InvalidRequestException(name, "unknown argument");
            }
        }
    }

    String requiredString(String name) {
        String value = string(name);
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException(name, "is required");
        }
        return value;
    }

    String string(String name) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw new InvalidRequestException(name, "must be a string");
        }
        return node.stringValue();
    }

    int integer(String name, int defaultValue, int min, int max) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw new InvalidRequestException(name, "must be an integer between " + min + " and " + max);
        }
        return node.intValue();
    }

    /** An enum constant by its wire name (lower case), or null when the argument is absent. */
    <E extends Enum<E>> E enumValue(String name, E[] values) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        return Arrays.stream(values).filter(v -> v.name().equalsIgnoreCase(value)).findFirst()
                .orElseThrow(() -> new InvalidRequestException(name, "must be one of " + wireNames(values)));
    }

    static <E extends Enum<E>> java.util.List<String> wireNames(E[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }
}

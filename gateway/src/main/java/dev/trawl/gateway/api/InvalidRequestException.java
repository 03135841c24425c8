package dev.trawl.gateway.api;

import java.util.List;
import java.util.stream.Collectors;

/** A request the gateway refuses with {@code 400}: each violation names the field (or parameter) at fault. */
public class InvalidRequestException extends RuntimeException {

    /** @param field JSON path of the field ({@code seeds[1]}, {@code error_tolerance.failure_action}) or parameter */
    public record Violation(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final transient List<Violation> violations;

    public InvalidRequestException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public InvalidRequestException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }
}

package dev.trawl.gateway.api;

/** The named job or document is not in the gateway's read model: {@code 404}. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}

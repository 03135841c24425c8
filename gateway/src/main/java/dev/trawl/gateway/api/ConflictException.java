package dev.trawl.gateway.api;

/** The request cannot apply to the job in its current state: {@code 409}. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}

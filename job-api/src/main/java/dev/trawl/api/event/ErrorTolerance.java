package dev.trawl.api.event;

/**
 * @param maxChildFailures children that may fail with an error before {@code failureAction} applies; 0 = unlimited
 * @param failureAction    what happens once the limit is passed
 */
public record ErrorTolerance(int maxChildFailures, FailureAction failureAction) {

    public static final ErrorTolerance UNLIMITED = new ErrorTolerance(0, FailureAction.CONTINUE);

    public ErrorTolerance {
        if (maxChildFailures < 0) {
            throw new IllegalArgumentException("max_child_failures must be >= 0");
        }
        failureAction = failureAction == null ? FailureAction.CONTINUE : failureAction;
    }

    /** True once {@code errorFailures} passes the limit. */
    public boolean exceededBy(long errorFailures) {
        return maxChildFailures > 0 && errorFailures > maxChildFailures;
    }
}

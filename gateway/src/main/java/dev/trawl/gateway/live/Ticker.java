package dev.trawl.gateway.live;

/**
 * The monotonic clock of the live clients ({@link System#nanoTime()} in production): what their pacing, send time
 * limits and heartbeats read, so tests can move time by hand instead of sleeping.
 */
@FunctionalInterface
interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();
}

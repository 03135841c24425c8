package dev.trawl.gateway.live;

/** A clock that moves only when a test tells it to. */
final class FakeTicker implements Ticker {

    private long now;

    @Override
    public long nanos() {
        return now;
    }

    void advance(long nanos) {
        now += nanos;
    }
}

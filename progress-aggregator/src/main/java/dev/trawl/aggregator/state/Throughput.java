package dev.trawl.aggregator.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;

/**
 * Recent rates of finished and newly scheduled children, for the ETA. Rates are measured in windows of
 * {@link #WINDOW_MILLIS} of event time and smoothed (EWMA), so the ETA follows the crawl's current pace.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class Throughput {

    static final long WINDOW_MILLIS = 2_000;
    private static final double ALPHA = 0.5;

    long windowStartMillis = -1;
    long finishedInWindow;
    long discoveredInWindow;
    /** Smoothed per-second rates; negative while no window has closed. */
    double finishRate = -1;
    double discoveryRate = -1;

    void finished(Instant at) {
        roll(at);
        finishedInWindow++;
    }

    void discovered(Instant at) {
        roll(at);
        discoveredInWindow++;
    }

    private void roll(Instant at) {
        long now = at.toEpochMilli();
        if (windowStartMillis < 0) {
            windowStartMillis = now;
            return;
        }
        long elapsed = now - windowStartMillis;
        if (elapsed < WINDOW_MILLIS) {
            return;
        }
        double seconds = elapsed / 1000.0;
        finishRate = smooth(finishRate, finishedInWindow / seconds);
        discoveryRate = smooth(discoveryRate, discoveredInWindow / seconds);
        windowStartMillis = now;
        finishedInWindow = 0;
        discoveredInWindow = 0;
    }

    private static double smooth(double old, double sample) {
        return old < 0 ? sample : ALPHA * sample + (1 - ALPHA) * old;
    }

    /**
     * Seconds until {@code outstanding} children finish, when new children keep being discovered at the
     * current rate until {@code headroom} (pages left under {@code max_pages}) runs out; null while unknown.
     */
    Long etaSeconds(long outstanding, long headroom) {
        if (finishRate <= 0) {
            return null;
        }
        double discovery = Math.max(0, discoveryRate);
        double net = finishRate - discovery;
        if (net > 0) {
            double t = outstanding / net;
            if (discovery * t <= headroom) {
                return Math.round(t);
            }
        }
        // discovery runs into max_pages first: all of the headroom gets scheduled and finished too
        return Math.round((outstanding + headroom) / finishRate);
    }
}

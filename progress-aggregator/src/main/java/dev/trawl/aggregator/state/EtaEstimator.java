package dev.trawl.aggregator.state;

import com.fasterxml.jackson.annotation.JsonAutoDetect;

/**
 * The ETA of a parent: its final total from how discovery is slowing, the time to reach it from the recent
 * completion rate, and {@code null} with a reason whenever the evidence does not support a number.
 *
 * <p><b>Final total.</b> The yield of a finished child is the number of new children it brought. On a site
 * of {@code N} pages, a link leads to an unseen page with about the probability that a page is unseen, so the
 * yield falls in a straight line as the known total {@code S} grows and reaches zero near {@code N}:
 * {@code y = b (N - S)}. A weighted least-squares fit of yield against the known total over the recent finishes
 * (exponential forgetting in finished-child counts, not time) gives the current yield {@code y0} and the decline
 * {@code b}. While the outstanding children finish, each one's yield follows the line, so after {@code m} more
 * finishes {@code (y0 / b)(1 - e^(-b m))} more children are known; the crawl ends when {@code m} equals the
 * outstanding children plus those. With no decline ({@code b <= 0}) this is the geometric series
 * {@code outstanding * y0 / (1 - y0)}, trusted only for {@code y0 < } {@link #EXPANDING_YIELD}. The result is
 * capped by the headroom under {@code max_pages}.
 *
 * <p><b>Trust.</b> A number is published only when the fit is tight (the final total at the decline plus and
 * minus two standard errors stays within a factor of {@link #MAX_SPREAD}), the final total is at most twice the
 * known one, and the projected final total has held steady over the recent finishes (a pure tree's yield drops
 * from 3 to 0 in one step: the line cannot see that coming, the drift check notices it). Headroom that certainly
 * runs out, and is no more than the known total, settles the final total by itself.
 *
 * <p><b>Time.</b> The remaining children at the completion rate and its trend. The rate is an exponentially
 * weighted average over event time, kept with two time constants: {@link #RATE_TAU_MILLIS} or
 * {@link #RATE_MIN_EVENTS} finishes, whichever is longer, and half that. A rising rate shows as the fast average
 * above the slow one (each lags a steadily changing rate by its time constant, so their difference over the
 * difference of the constants is the rate's slope). The rate is projected to go on rising at that slope, up to
 * {@link #MAX_SPEEDUP} times the fast average: a crawl speeds up as the window opens, the services' JIT warms and
 * discovery stops, and a first crawl on a fresh cluster finishes three times as fast as it began. A falling rate is
 * not projected: the fast average follows it within a second or two, and an estimate that errs late is the safer.
 *
 * <p>Deterministic and clock free (event time only); O(1) state of primitives, stored in {@link ParentState}.
 *
 * <p>Why over 300 lines: the fit, the trust checks and the rate share one O(1) state stored in the parent's
 * aggregate; a good part of the file is the reasoning above and beside the arithmetic.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class EtaEstimator {

    /** Too few finished children or too little event time observed. */
    private static final double RECENT_ALPHA = 0.2;
    /** A recent yield below this is discovery that has stopped. */
    private static final double STOPPED_YIELD = 0.02;

    public static final String WARMING_UP = "warming_up";
    /** No child finished for much longer than the usual gap between finishes. */
    public static final String STALLED = "stalled";
    /** Discovery is not slowing enough yet to estimate the final total. */
    public static final String DISCOVERY_OUTPACES_COMPLETION = "discovery_outpaces_completion";
    /** The projected final total moved by more than {@link #MAX_DRIFT} over the recent finishes. */
    public static final String DISCOVERY_UNSETTLED = "discovery_unsettled";

    /** Seconds to completion, or {@code null} seconds with the reason; exactly one is non-null. */
    public record Estimate(Long seconds, String reason) {
    }

    static final int MIN_FINISHED = 20;
    /** A worker commits a batch every ~100 ms: a second holds about ten of them. */
    static final long MIN_OBSERVED_MILLIS = 1_000;
    static final double RATE_TAU_MILLIS = 2_000;
    /** The projected rate never exceeds this multiple of the fast average. */
    static final double MAX_SPEEDUP = 3;
    static final int RATE_MIN_EVENTS = 20;
    static final long STALL_MIN_MILLIS = 5_000;
    static final int STALL_GAPS = 10;
    /** The fit forgets over half the finishes so far, within these bounds. */
    static final double FIT_FRACTION = 0.5;
    static final int FIT_MIN = 50;
    static final int FIT_MAX = 5_000;
    /** The drift check looks back a tenth of the finishes so far, at least this many. */
    static final double CHECK_FRACTION = 0.1;
    static final int CHECK_MIN = 20;
    static final double Z = 2;
    static final double MAX_SPREAD = 2;
    static final double MAX_DRIFT = 1.25;
    /**
     * No final total beyond {@code (1 + MAX_GROWTH)} times the known total: a yield that barely falls would
     * otherwise be extrapolated all the way to {@code max_pages}, the failure this class replaces.
     */
    static final double MAX_GROWTH = 1;
    /** A yield this high that is not falling is expansion, not a series that converges. */
    static final double EXPANDING_YIELD = 0.9;

    long scheduled;
    long finished;
    /** Children scheduled since the last finish: the yield of the next one. */
    long yieldOfNext;

    long firstFinishMillis = -1;
    long lastFinishMillis = -1;
    double decayedFinishes;
    double decayedExposureMillis;
    /** The same with half the time constant. */
    double fastFinishes;
    double fastExposureMillis;

    /**
     * The fit of yield (y) against the scheduled count (x): exponentially weighted means and co-moments, updated
     * the numerically stable way (West 1979) so large counts do not cancel.
     */
    double fitWeight;
    double meanX;
    double meanY;
    double comomentXX;
    double comomentXY;
    double comomentYY;

    /** Finished count since which every projected final total was finite. */
    long finiteSince;
    double checkWeight;
    double checkLogSum;
    /**
     * New children per finished child over the last few finishes (EWMA, {@value #RECENT_ALPHA}): when discovery
     * has stopped (a hub page's links all known, then only leaves), the long fit still remembers the hub for a
     * while, this does not.
     */
    double recentYield = -1;

    /** The projected final total at the last finish, -1 when it was unbounded. */
    double lastProjection = -1;

    EtaEstimator() {
        // for Jackson and ParentState
    }

    /**
     * A new child became known: discovered, in scope and counted in the total. Its time is not needed: discovery
     * is measured per finished child, which makes it independent of how fast children are dispatched.
     */
    void scheduled(long epochMillis) {
        scheduled++;
        yieldOfNext++;
    }

    /** A child reached a terminal status. */
    void finished(long epochMillis) {
        finished++;
        recordFinishTime(epochMillis);
        double forget = 1 - 1 / Math.min(FIT_MAX, Math.max(FIT_MIN, finished * FIT_FRACTION));
        double x = scheduled;
        double y = yieldOfNext;
        yieldOfNext = 0;
        recentYield = recentYield < 0 ? y : RECENT_ALPHA * y + (1 - RECENT_ALPHA) * recentYield;
        fitWeight = fitWeight * forget + 1;
        double dx = x - meanX;
        double dy = y - meanY;
        meanX += dx / fitWeight;
        meanY += dy / fitWeight;
        comomentXX = comomentXX * forget + dx * (x - meanX);
        comomentXY = comomentXY * forget + dx * (y - meanY);
        comomentYY = comomentYY * forget + dy * (y - meanY);
        recordProjection();
    }

    /**
     * The estimate at {@code nowMillis} (event time) for a parent with {@code total} children of which
     * {@code finishedChildren} ended, and {@code headroom} more children allowed (0 when no more can come, e.g.
     * {@code max_pages} reached; very large when unlimited). A terminal parent's ETA is 0 without asking.
     */
    Estimate estimate(long nowMillis, long total, long finishedChildren, long headroom) {
        if (finished < MIN_FINISHED || finishedChildren < MIN_FINISHED
                || nowMillis - firstFinishMillis < MIN_OBSERVED_MILLIS) {
            return new Estimate(null, WARMING_UP);
        }
        if (nowMillis - lastFinishMillis > Math.max(STALL_MIN_MILLIS, STALL_GAPS * meanGapMillis())) {
            return new Estimate(null, STALLED);
        }
        long outstanding = total - finishedChildren;
        if (outstanding <= 0) {
            return new Estimate(0L, null);
        }
        double cap = Math.max(0, headroom);
        if (recentYield >= 0 && recentYield < STOPPED_YIELD) {
            // discovery has stopped: what is outstanding is (nearly) all that is left
            double rest = Math.min(cap, outstanding * recentYield / (1 - recentYield));
            return new Estimate(Math.round(millisFor(outstanding + rest, nowMillis) / 1000), null);
        }
        Fit fit = fit();
        double likely = Math.min(cap, fit.discoveries(fit.slope, scheduled, outstanding));
        double fewest = Math.min(cap, fit.discoveries(fit.slope + Z * fit.slopeError, scheduled, outstanding));
        double most = Math.min(cap, fit.discoveries(fit.slope - Z * fit.slopeError, scheduled, outstanding));
        boolean capReached = fewest >= cap && cap <= MAX_GROWTH * total;
        if (!capReached) {
            // the headroom does not settle the final total: the fit has to
            if (likely > MAX_GROWTH * total || outstanding + most > MAX_SPREAD * (outstanding + fewest)) {
                return new Estimate(null, DISCOVERY_OUTPACES_COMPLETION);
            }
            if (!settled()) {
                return new Estimate(null, DISCOVERY_UNSETTLED);
            }
        }
        return new Estimate(Math.round(millisFor(outstanding + likely, nowMillis) / 1000), null);
    }

    private void recordFinishTime(long at) {
        if (firstFinishMillis < 0) {
            // the first finish starts the clock; rates count the finishes after it
            firstFinishMillis = at;
            lastFinishMillis = at;
            return;
        }
        double tau = rateTauMillis();
        long gap = Math.max(0, at - lastFinishMillis);
        double decay = Math.exp(-gap / tau);
        decayedFinishes = decayedFinishes * decay + 1;
        decayedExposureMillis = decayedExposureMillis * decay + tau * (1 - decay);
        double fastDecay = Math.exp(-gap / (tau / 2));
        fastFinishes = fastFinishes * fastDecay + 1;
        fastExposureMillis = fastExposureMillis * fastDecay + tau / 2 * (1 - fastDecay);
        lastFinishMillis = Math.max(lastFinishMillis, at);
    }

    private double meanGapMillis() {
        return decayedFinishes == 0 ? 0 : decayedExposureMillis / decayedFinishes;
    }

    private double rateTauMillis() {
        return Math.max(RATE_TAU_MILLIS, RATE_MIN_EVENTS * meanGapMillis());
    }

    /**
     * Milliseconds to finish {@code children} more from {@code now}: at the fast average rate, rising at the slope
     * the two averages show (when they show one) until it reaches {@link #MAX_SPEEDUP} times that rate.
     */
    private double millisFor(double children, long now) {
        double tau = rateTauMillis();
        double rate = ratePerMilli(now, tau / 2, fastFinishes, fastExposureMillis);
        double slope = (rate - ratePerMilli(now, tau, decayedFinishes, decayedExposureMillis)) / (tau / 2);
        if (slope <= 0) {
            return children / rate;
        }
        // rate(t) = rate + slope t, so children(t) = rate t + slope t^2 / 2, until rate(t) reaches the cap
        double cap = MAX_SPEEDUP * rate;
        double untilCap = (cap - rate) / slope;
        double byCap = rate * untilCap + slope * untilCap * untilCap / 2;
        if (children >= byCap) {
            return untilCap + (children - byCap) / cap;
        }
        return 2 * children / (rate + Math.sqrt(rate * rate + 2 * slope * children));
    }

    /**
     * Finishes per millisecond at {@code now}: time without finishes since the last one lowers it. Read right at a
     * finish (a snapshot is made at its last event), a decayed count holds that finish whole, which overstates the
     * rate by about {@code gap / 2 tau}, more for the shorter time constant, and would show a steady rate as a rising
     * one; half of it is taken off.
     */
    private double ratePerMilli(long now, double tau, double finishes, double exposureMillis) {
        double decay = Math.exp(-Math.max(0, now - lastFinishMillis) / tau);
        return Math.max(0.5, finishes - 0.5) * decay / (exposureMillis * decay + tau * (1 - decay));
    }

    /**
     * Tracks the projected final total for the drift check, in this estimator's own counts (they lag the parent's
     * when the estimator started mid-crawl, which only makes the check stricter).
     */
    private void recordProjection() {
        Fit fit = fit();
        double projected = finished < MIN_FINISHED ? Double.POSITIVE_INFINITY
                : Math.max(1, scheduled + fit.discoveries(fit.slope, scheduled, Math.max(0, scheduled - finished)));
        if (Double.isInfinite(projected)) {
            finiteSince = finished;
            checkWeight = 0;
            checkLogSum = 0;
            lastProjection = -1;
            return;
        }
        double forget = 1 - 1 / checkWindow();
        checkWeight = checkWeight * forget + 1;
        checkLogSum = checkLogSum * forget + Math.log(projected);
        lastProjection = projected;
    }

    private double checkWindow() {
        return Math.max(CHECK_MIN, finished * CHECK_FRACTION);
    }

    private boolean settled() {
        return lastProjection > 0 && finished - finiteSince >= checkWindow()
                && Math.abs(Math.log(lastProjection) - checkLogSum / checkWeight) <= Math.log(MAX_DRIFT);
    }

    private Fit fit() {
        double varX = comomentXX / fitWeight;
        if (varX <= 1e-9) {
            // nothing was discovered in the window: every yield was zero
            return new Fit(meanX, meanY, 0, 0);
        }
        double covXY = comomentXY / fitWeight;
        double varY = comomentYY / fitWeight;
        double slope = -covXY / varX;
        double residual = Math.max(0, varY - covXY * covXY / varX);
        // the weight sum understates the effective sample size of exponential weights: a conservative error
        double slopeError = Math.sqrt(residual / (varX * Math.max(1, fitWeight - 2)));
        return new Fit(meanX, meanY, slope, slopeError);
    }

    /** A line of yield falling by {@code slope} per known child through the weighted means. */
    private record Fit(double meanX, double meanY, double slope, double slopeError) {

        /** Children still to be discovered while {@code outstanding} ones finish; infinite when unbounded. */
        double discoveries(double decline, double known, double outstanding) {
            double yieldNow = meanY - decline * (known - meanX);
            if (yieldNow <= 0 || outstanding <= 0) {
                return 0;
            }
            if (decline <= 0) {
                return yieldNow >= EXPANDING_YIELD ? Double.POSITIVE_INFINITY
                        : outstanding * yieldNow / (1 - yieldNow);
            }
            double undiscovered = yieldNow / decline;
            // the crawl ends after m more finishes where g(m) = outstanding + undiscovered (1 - e^(-decline m)) - m
            // is 0; g is concave and negative at m = outstanding + undiscovered, so Newton's steps from there
            // approach the root from the right without overshooting
            double m = outstanding + undiscovered;
            for (int i = 0; i < 50; i++) {
                double g = outstanding - undiscovered * Math.expm1(-decline * m) - m;
                if (g >= 0) {
                    break;
                }
                double slope = undiscovered * decline * Math.exp(-decline * m) - 1;
                double step = g / slope;
                m -= step;
                if (step < 1e-9 * m) {
                    break;
                }
            }
            return m - outstanding;
        }
    }
}

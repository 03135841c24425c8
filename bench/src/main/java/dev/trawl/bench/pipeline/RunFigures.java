package dev.trawl.bench.pipeline;

import java.util.List;

/** What one measured run found; a part is null when its phase did not run. */
record RunFigures(int run, Big big, Fair fair, Cancel cancel) {

    /** The machine before a measured crawl: busy cores over 3 s, and whether it got below the bound in time. */
    record Quiet(double busyCores, boolean quiet, String loadAverage) {
    }

    /**
     * The big crawl, submit → terminal snapshot at the watcher.
     *
     * @param inFlight  per snapshot received: pending − queued + running
     * @param queuedMax null when the snapshots carry no {@code queued}
     */
    record Big(Quiet before, String status, long completed, long failed, long total, double wallMs,
               Staleness staleness, int received, CpuMeter.Sample cpu, List<Long> inFlight, Long queuedMax,
               List<Long> flowLimits, List<EtaPoller.Band> eta) {

        long finished() {
            return completed + failed;
        }

        double pagesPerSecond() {
            return finished() / (wallMs / 1000);
        }
    }

    /** The small crawl of the other host, alone and submitted {@code delay} after the big one. */
    record Fair(Quiet before, double aloneMs, long alonePages, double besideMs, long besidePages) {
    }

    /**
     * The cancelled crawl.
     *
     * @param terminalMs      the cancel's 202 → the terminal snapshot at the watcher
     * @param requestsAfter   page requests of this crawl the site logged after the 202
     */
    record Cancel(Quiet before, String status, double progressAtCancel, long finishedAtCancel, long totalAtCancel,
                  long inFlightAtCancel, double terminalMs, long requestsAfter, long requestsTotal) {
    }
}

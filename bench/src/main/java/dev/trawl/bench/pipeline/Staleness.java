package dev.trawl.bench.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Staleness as issue 13 defines it: for each snapshot reaching the watcher that counts more finished children
 * (completed + failed + cancelled) than the one before, its arrival time minus the producer timestamp of the
 * newest child terminal event it counts (the F-th, see {@link EventLog}); split into the aggregator's hop (that
 * event → the snapshot record of that version) and the gateway's (snapshot record → arrival).
 *
 * @param total     ms, one per counted snapshot
 * @param toRecord  ms, terminal event → snapshot record
 * @param toClient  ms, snapshot record → WebSocket arrival
 * @param counted   snapshots that counted more finished children than the one before
 * @param unmapped  of those, snapshots whose F-th event or whose version was not found in the topics
 */
record Staleness(List<Double> total, List<Double> toRecord, List<Double> toClient, int counted, int unmapped) {

    static Staleness of(List<Watcher.Arrival> arrivals, List<Long> terminalEvents, Map<Long, Long> snapshotRecords) {
        List<Double> total = new ArrayList<>();
        List<Double> toRecord = new ArrayList<>();
        List<Double> toClient = new ArrayList<>();
        long previous = 0;
        int counted = 0;
        int unmapped = 0;
        for (Watcher.Arrival a : arrivals) {
            long finished = a.finished();
            if (finished <= previous) {
                continue;
            }
            previous = finished;
            counted++;
            Long record = snapshotRecords.get(a.version());
            if (finished > terminalEvents.size() || record == null) {
                unmapped++;
                continue;
            }
            double arrivedMs = a.atMicros() / 1000.0;
            long event = terminalEvents.get((int) finished - 1);
            total.add(arrivedMs - event);
            toRecord.add((double) (record - event));
            toClient.add(arrivedMs - record);
        }
        return new Staleness(total, toRecord, toClient, counted, unmapped);
    }
}

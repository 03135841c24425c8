package dev.trawl.worker.delivery;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The host delays this instance reported per parent, so a {@code HostDelayObserved} goes out the first time a host
 * of a parent is crawled here and whenever its delay changes, not with every page. Bounded (least recently used
 * forgotten first): forgetting one costs a repeated report, which the scheduler takes as it came.
 */
final class HostDelayReports {

    private final Map<String, Long> reported;

    HostDelayReports(int capacity) {
        this.reported = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether {@code delayMs} is news for the parent's host; if so it counts as reported from now on. */
    boolean isNews(String parentId, String host, long delayMs) {
        Long previous = reported.put(parentId + '\n' + host, delayMs);
        return previous == null || previous != delayMs;
    }

    /** After an aborted transaction: what it carried was not reported. */
    void clear() {
        reported.clear();
    }
}

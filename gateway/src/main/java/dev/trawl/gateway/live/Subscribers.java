package dev.trawl.gateway.live;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who wants what: clients by job id, the clients of {@code "*"}, and the clients that asked for a job's detail. A
 * snapshot then touches only the clients interested in its job, not every connection.
 */
final class Subscribers {

    private final JobIndex<SocketClient> byJob = new JobIndex<>();
    private final JobIndex<SocketClient> detailByJob = new JobIndex<>();
    private final Set<SocketClient> everyJob = ConcurrentHashMap.newKeySet();

    void add(String jobId, SocketClient client, boolean detail) {
        if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
            everyJob.add(client);
            return;
        }
        byJob.add(jobId, client);
        if (detail) {
            detailByJob.add(jobId, client);
        }
    }

    void remove(String jobId, SocketClient client) {
        if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
            everyJob.remove(client);
            return;
        }
        byJob.remove(jobId, client);
        detailByJob.remove(jobId, client);
    }

    void removeAll(SocketClient client, Set<String> jobIds) {
        jobIds.forEach(jobId -> remove(jobId, client));
    }

    boolean anyFor(String jobId) {
        return !everyJob.isEmpty() || byJob.contains(jobId);
    }

    void forEachFor(String jobId, Consumer<SocketClient> action) {
        byJob.forEach(jobId, action);
        everyJob.forEach(action); // a client in both gets the same version twice: the second offer is a no-op
    }

    boolean anyDetailFor(String jobId) {
        return detailByJob.contains(jobId);
    }

    void forEachDetailFor(String jobId, Consumer<SocketClient> action) {
        detailByJob.forEach(jobId, action);
    }
}

package dev.trawl.gateway.live;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who wants what: clients by job id, the clients of {@code "*"}, and the clients that asked for a job's detail. A
 * snapshot then touches only the clients interested in its job, not every connection.
 */
final class Subscribers {

    private final Map<String, Set<SocketClient>> byJob = new ConcurrentHashMap<>();
    private final Map<String, Set<SocketClient>> detailByJob = new ConcurrentHashMap<>();
    private final Set<SocketClient> everyJob = ConcurrentHashMap.newKeySet();

    void add(String jobId, SocketClient client, boolean detail) {
        if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
            everyJob.add(client);
            return;
        }
        byJob.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(client);
        if (detail) {
            detailByJob.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(client);
        }
    }

    void remove(String jobId, SocketClient client) {
        if (jobId.equals(LiveSocketHandler.ALL_JOBS)) {
            everyJob.remove(client);
            return;
        }
        removeFrom(byJob, jobId, client);
        removeFrom(detailByJob, jobId, client);
    }

    void removeAll(SocketClient client, Set<String> jobIds) {
        jobIds.forEach(jobId -> remove(jobId, client));
    }

    boolean anyFor(String jobId) {
        return !everyJob.isEmpty() || byJob.containsKey(jobId);
    }

    void forEachFor(String jobId, Consumer<SocketClient> action) {
        Set<SocketClient> clients = byJob.get(jobId);
        if (clients != null) {
            clients.forEach(action);
        }
        everyJob.forEach(action); // a client in both gets the same version twice: the second offer is a no-op
    }

    boolean anyDetailFor(String jobId) {
        return detailByJob.containsKey(jobId);
    }

    void forEachDetailFor(String jobId, Consumer<SocketClient> action) {
        Set<SocketClient> clients = detailByJob.get(jobId);
        if (clients != null) {
            clients.forEach(action);
        }
    }

    private static void removeFrom(Map<String, Set<SocketClient>> index, String jobId, SocketClient client) {
        index.computeIfPresent(jobId, (id, clients) -> {
            clients.remove(client);
            return clients.isEmpty() ? null : clients;
        });
    }
}

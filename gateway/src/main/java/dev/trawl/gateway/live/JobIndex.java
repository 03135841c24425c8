package dev.trawl.gateway.live;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Clients by job id, so a job's update touches only its own clients. Thread-safe; empty jobs are dropped. */
final class JobIndex<C> {

    private final Map<String, Set<C>> byJob = new ConcurrentHashMap<>();

    void add(String jobId, C client) {
        byJob.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(client);
    }

    void remove(String jobId, C client) {
        byJob.computeIfPresent(jobId, (id, clients) -> {
            clients.remove(client);
            return clients.isEmpty() ? null : clients;
        });
    }

    boolean contains(String jobId) {
        return byJob.containsKey(jobId);
    }

    void forEach(String jobId, Consumer<C> action) {
        Set<C> clients = byJob.get(jobId);
        if (clients != null) {
            clients.forEach(action);
        }
    }
}

package dev.trawl.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code trawl.*} properties of the worker service; defaults and their meaning are in
 * {@code application.yml}. See {@link WorkerSettings} for each setting.
 */
@ConfigurationProperties("trawl")
public record WorkerProperties(Kafka kafka, Worker worker) {

    /**
     * @param replicationFactor replicas of the topics this service creates when they are missing
     * @param properties        any Kafka client setting (security, SASL, TLS, tuning) given to every client of the
     *                          worker, applied after Trawl's own; e.g. {@code TRAWL_KAFKA_PROPERTIES_SECURITY_PROTOCOL}
     */
    public record Kafka(String bootstrapServers, short replicationFactor, Map<String, String> properties) {

        public Kafka {
            properties = properties == null ? Map.of() : Map.copyOf(properties);
        }
    }

    /** @param instanceId empty = a random one (every running instance needs its own) */
    public record Worker(String groupId, String instanceId, int batchSize, int maxInFlight, Duration politenessDelay,
                         Duration maxCrawlDelay, String userAgent, Duration connectTimeout, Duration readTimeout,
                         Duration fetchDeadline, DataSize maxBodySize, int maxMarkdownChars, int maxRedirects,
                         int maxLinks, int maxRetries, Duration retryBackoff, Duration robotsCacheTtl,
                         Duration maxBatchDuration, Duration commitInterval, Duration maxPollInterval,
                         Duration pollTimeout, List<String> allowedPrivateCidrs) {
    }

    public WorkerSettings toSettings() {
        String instanceId = worker.instanceId() == null || worker.instanceId().isBlank()
                ? "worker-" + UUID.randomUUID() : worker.instanceId();
        return new WorkerSettings(kafka.bootstrapServers(), worker.groupId(), instanceId, worker.batchSize(),
                worker.maxInFlight(), worker.politenessDelay(), worker.maxCrawlDelay(), worker.userAgent(),
                worker.connectTimeout(), worker.readTimeout(), worker.fetchDeadline(),
                Math.toIntExact(worker.maxBodySize().toBytes()), worker.maxMarkdownChars(), worker.maxRedirects(),
                worker.maxLinks(), worker.maxRetries(), worker.retryBackoff(), worker.robotsCacheTtl(),
                worker.maxBatchDuration(), worker.commitInterval() == null ? WorkerSettings.DEFAULT_COMMIT_INTERVAL
                        : worker.commitInterval(), worker.maxPollInterval(), worker.pollTimeout(),
                worker.allowedPrivateCidrs(), Map.copyOf(kafka.properties()));
    }
}

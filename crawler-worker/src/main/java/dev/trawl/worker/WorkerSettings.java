package dev.trawl.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything a {@link CrawlWorker} needs, with production defaults from {@link #defaults(String)}. Immutable; the
 * {@code with*} methods return changed copies, so tests and the Spring binding adjust only what they care about.
 *
 * @param bootstrapServers     Kafka bootstrap servers
 * @param groupId              consumer group shared by every worker replica
 * @param instanceId           unique per running worker; part of the transactional id
 * @param batchSize            crawl tasks per poll, so per transaction pair ({@code max.poll.records})
 * @param maxInFlight          concurrent fetches of this instance
 * @param politenessDelay      minimum gap between two requests to one host (robots.txt Crawl-delay may raise it)
 * @param maxCrawlDelay        cap on a robots.txt Crawl-delay, so one site cannot stall a worker
 * @param userAgent            User-Agent header, also the robots.txt agent name
 * @param connectTimeout       TCP connect timeout
 * @param readTimeout          time allowed until the response headers arrive
 * @param fetchDeadline        total time for one request, body included
 * @param maxBodyBytes         body bytes read at most; the rest is cut off and the document marked truncated
 * @param maxMarkdownChars     Markdown characters kept at most (keeps a document record well under 1 MB)
 * @param maxRedirects         redirect hops followed at most
 * @param maxLinks             links reported per page at most
 * @param maxRetries           extra attempts after a transient failure (5xx, 429, timeout, connection error)
 * @param retryBackoff         wait before the first retry; doubles for each further one
 * @param robotsCacheTtl       how long a host's robots.txt rules are kept
 * @param maxBatchDuration     a batch's tasks that cannot start within this time are left for the next poll
 * @param commitInterval       the longest a finished task's outcome waits for its transaction: a batch commits what
 *                             has finished at this pace, so one slow page holds back no other page's outcome
 * @param maxPollInterval      Kafka {@code max.poll.interval.ms}; must exceed a batch's worst-case duration
 * @param pollTimeout          how long one poll waits for tasks
 * @param allowedPrivateCidrs  private/loopback ranges that may be fetched anyway (empty = all denied)
 * @param kafkaOverrides       any consumer or producer setting, applied last (e.g. {@code session.timeout.ms})
 */
public record WorkerSettings(
        String bootstrapServers,
        String groupId,
        String instanceId,
        int batchSize,
        int maxInFlight,
        Duration politenessDelay,
        Duration maxCrawlDelay,
        String userAgent,
        Duration connectTimeout,
        Duration readTimeout,
        Duration fetchDeadline,
        int maxBodyBytes,
        int maxMarkdownChars,
        int maxRedirects,
        int maxLinks,
        int maxRetries,
        Duration retryBackoff,
        Duration robotsCacheTtl,
        Duration maxBatchDuration,
        Duration commitInterval,
        Duration maxPollInterval,
        Duration pollTimeout,
        List<String> allowedPrivateCidrs,
        java.util.Map<String, Object> kafkaOverrides) {

    public static final String DEFAULT_GROUP_ID = "trawl-crawler-workers";
    public static final String DEFAULT_USER_AGENT = "TrawlBot/0.1 (+https://trawl.dev/bot)";
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

    public WorkerSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(userAgent, "userAgent");
        requirePositive(batchSize, "batchSize");
        requirePositive(maxInFlight, "maxInFlight");
        requirePositive(maxBodyBytes, "maxBodyBytes");
        requirePositive(maxMarkdownChars, "maxMarkdownChars");
        requirePositive(maxLinks, "maxLinks");
        if (maxRedirects < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("maxRedirects and maxRetries must be >= 0");
        }
        for (Duration d : List.of(politenessDelay, maxCrawlDelay, connectTimeout, readTimeout, fetchDeadline,
                retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval, maxPollInterval, pollTimeout)) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("durations must be set and not negative");
            }
        }
        allowedPrivateCidrs = allowedPrivateCidrs == null ? List.of() : List.copyOf(allowedPrivateCidrs);
        kafkaOverrides = kafkaOverrides == null ? java.util.Map.of() : java.util.Map.copyOf(kafkaOverrides);
    }

    /** Production defaults: private address space denied, 1 s politeness, batches of 100 tasks. */
    public static WorkerSettings defaults(String bootstrapServers) {
        return new WorkerSettings(bootstrapServers, DEFAULT_GROUP_ID, "worker-" + UUID.randomUUID(),
                100, 64, Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_USER_AGENT,
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
                2 * 1024 * 1024, 200_000, 5, 2_000, 2, Duration.ofMillis(500), Duration.ofMinutes(30),
                Duration.ofSeconds(60), DEFAULT_COMMIT_INTERVAL, Duration.ofMinutes(5), Duration.ofMillis(500),
                List.of(), java.util.Map.of());
    }

    public WorkerSettings withGroupId(String v) {
        return new WorkerSettings(bootstrapServers, v, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withInstanceId(String v) {
        return new WorkerSettings(bootstrapServers, groupId, v, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withBatchSize(int v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, v, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withMaxInFlight(int v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, v, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withPolitenessDelay(Duration v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, v,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withUserAgent(String v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, v, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withTimeouts(Duration connect, Duration read, Duration deadline) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connect, read, deadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withLimits(int bodyBytes, int markdownChars, int redirects, int links) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, bodyBytes, markdownChars,
                redirects, links, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withRetries(int retries, Duration backoff) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, retries, backoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withAllowedPrivateCidrs(List<String> v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, v, kafkaOverrides);
    }

    public WorkerSettings withScheduling(Duration maxCrawlDelayCap, Duration robotsTtl, Duration batchDuration,
                                         Duration pollInterval, Duration poll) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelayCap, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsTtl, batchDuration, commitInterval,
                pollInterval, poll, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withCommitInterval(Duration v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, v,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, kafkaOverrides);
    }

    public WorkerSettings withKafkaOverrides(java.util.Map<String, Object> v) {
        return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes, maxMarkdownChars,
                maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl, maxBatchDuration, commitInterval,
                maxPollInterval, pollTimeout, allowedPrivateCidrs, v);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
    }
}

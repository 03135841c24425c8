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
        return changed(c -> c.groupId = v);
    }

    public WorkerSettings withInstanceId(String v) {
        return changed(c -> c.instanceId = v);
    }

    public WorkerSettings withMaxInFlight(int v) {
        return changed(c -> c.maxInFlight = v);
    }

    public WorkerSettings withPolitenessDelay(Duration v) {
        return changed(c -> c.politenessDelay = v);
    }

    public WorkerSettings withTimeouts(Duration connect, Duration read, Duration deadline) {
        return changed(c -> {
            c.connectTimeout = connect;
            c.readTimeout = read;
            c.fetchDeadline = deadline;
        });
    }

    public WorkerSettings withLimits(int bodyBytes, int markdownChars, int redirects, int links) {
        return changed(c -> {
            c.maxBodyBytes = bodyBytes;
            c.maxMarkdownChars = markdownChars;
            c.maxRedirects = redirects;
            c.maxLinks = links;
        });
    }

    public WorkerSettings withRetries(int retries, Duration backoff) {
        return changed(c -> {
            c.maxRetries = retries;
            c.retryBackoff = backoff;
        });
    }

    public WorkerSettings withAllowedPrivateCidrs(List<String> v) {
        return changed(c -> c.allowedPrivateCidrs = v);
    }

    public WorkerSettings withScheduling(Duration maxCrawlDelayCap, Duration robotsTtl, Duration batchDuration,
                                         Duration pollInterval, Duration poll) {
        return changed(c -> {
            c.maxCrawlDelay = maxCrawlDelayCap;
            c.robotsCacheTtl = robotsTtl;
            c.maxBatchDuration = batchDuration;
            c.maxPollInterval = pollInterval;
            c.pollTimeout = poll;
        });
    }

    public WorkerSettings withCommitInterval(Duration v) {
        return changed(c -> c.commitInterval = v);
    }

    private WorkerSettings changed(java.util.function.Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The fields of a settings being changed: one place that lists them all, for every {@code with} method. */
    private static final class Copy {
        String bootstrapServers;
        String groupId;
        String instanceId;
        int batchSize;
        int maxInFlight;
        Duration politenessDelay;
        Duration maxCrawlDelay;
        String userAgent;
        Duration connectTimeout;
        Duration readTimeout;
        Duration fetchDeadline;
        int maxBodyBytes;
        int maxMarkdownChars;
        int maxRedirects;
        int maxLinks;
        int maxRetries;
        Duration retryBackoff;
        Duration robotsCacheTtl;
        Duration maxBatchDuration;
        Duration commitInterval;
        Duration maxPollInterval;
        Duration pollTimeout;
        List<String> allowedPrivateCidrs;
        java.util.Map<String, Object> kafkaOverrides;

        Copy(WorkerSettings s) {
            bootstrapServers = s.bootstrapServers;
            groupId = s.groupId;
            instanceId = s.instanceId;
            batchSize = s.batchSize;
            maxInFlight = s.maxInFlight;
            politenessDelay = s.politenessDelay;
            maxCrawlDelay = s.maxCrawlDelay;
            userAgent = s.userAgent;
            connectTimeout = s.connectTimeout;
            readTimeout = s.readTimeout;
            fetchDeadline = s.fetchDeadline;
            maxBodyBytes = s.maxBodyBytes;
            maxMarkdownChars = s.maxMarkdownChars;
            maxRedirects = s.maxRedirects;
            maxLinks = s.maxLinks;
            maxRetries = s.maxRetries;
            retryBackoff = s.retryBackoff;
            robotsCacheTtl = s.robotsCacheTtl;
            maxBatchDuration = s.maxBatchDuration;
            commitInterval = s.commitInterval;
            maxPollInterval = s.maxPollInterval;
            pollTimeout = s.pollTimeout;
            allowedPrivateCidrs = s.allowedPrivateCidrs;
            kafkaOverrides = s.kafkaOverrides;
        }

        WorkerSettings build() {
            return new WorkerSettings(bootstrapServers, groupId, instanceId, batchSize, maxInFlight, politenessDelay,
                    maxCrawlDelay, userAgent, connectTimeout, readTimeout, fetchDeadline, maxBodyBytes,
                    maxMarkdownChars, maxRedirects, maxLinks, maxRetries, retryBackoff, robotsCacheTtl,
                    maxBatchDuration, commitInterval, maxPollInterval, pollTimeout, allowedPrivateCidrs,
                    kafkaOverrides);
        }
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
    }
}

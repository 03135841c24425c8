package dev.trawl.worker.fetch;

import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import dev.trawl.api.event.ReasonClass;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * robots.txt rules per origin (scheme, host, port), fetched once and kept for a TTL. A 4xx robots.txt allows
 * everything (RFC 9309); a 5xx one or an unreachable server disallows everything for a short while, since the
 * site may be overloaded and asking it again at once would not be polite.
 *
 * <p>Concurrent tasks for one origin share a single robots.txt download. Its request is a request to the host like
 * any other: the one task that makes it passes it through its {@link RequestGate} first (politeness slot, cancel
 * check); the others wait for its result.
 */
public final class RobotsPolicy {

    /** The rules for one origin. {@code unavailableReason} is set when robots.txt could not be read. */
    public record Rules(BaseRobotRules rules, Duration crawlDelay, String unavailableReason) {

        public boolean isAllowed(String url) {
            return unavailableReason == null && rules.isAllowed(url);
        }
    }

    /** Opened right before robots.txt is requested, by the one task that requests it. */
    @FunctionalInterface
    public interface RequestGate {

        /** Opens at once. */
        RequestGate OPEN = () -> true;

        /** @return false when the request must not be made now: {@code rulesFor} then returns null */
        boolean open() throws InterruptedException;
    }

    /** The task that was to request robots.txt did not: a waiting task requests it through its own gate. */
    private static final class NotRequested extends RuntimeException {
        NotRequested() {
            super(null, null, false, false);
        }
    }

    private static final int MAX_ROBOTS_BYTES = 512 * 1024;
    private static final Duration UNAVAILABLE_TTL = Duration.ofMinutes(1);
    private static final int MAX_ORIGINS = 10_000;

    /** {@code expiresAtNanos} counts only once the download finished ({@code loaded}). */
    private record Entry(CompletableFuture<Rules> rules, boolean loaded, long expiresAtNanos) {

        boolean expired(long now) {
            return loaded && expiresAtNanos - now < 0;
        }
    }

    private final Fetcher fetcher;
    private final String agentName;
    private final Duration ttl;
    private final Duration maxCrawlDelay;
    private final LongSupplier nanoClock;
    private final SimpleRobotRulesParser parser = new SimpleRobotRulesParser();
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public RobotsPolicy(Fetcher fetcher, String userAgent, Duration ttl, Duration maxCrawlDelay) {
        this(fetcher, userAgent, ttl, maxCrawlDelay, System::nanoTime);
    }

    RobotsPolicy(Fetcher fetcher, String userAgent, Duration ttl, Duration maxCrawlDelay, LongSupplier nanoClock) {
        this.fetcher = fetcher;
        this.agentName = productToken(userAgent);
        this.ttl = ttl;
        this.maxCrawlDelay = maxCrawlDelay;
        this.nanoClock = nanoClock;
    }

    /** The rules that apply to {@code url}, downloading robots.txt at once if they are not cached. */
    public Rules rulesFor(URI url) throws InterruptedException {
        return rulesFor(url, RequestGate.OPEN);
    }

    /**
     * The rules that apply to {@code url}, downloading robots.txt if they are not cached; {@code gate} is opened
     * right before this call requests it (not when another task's download is joined or the rules are cached).
     *
     * @return the rules, or null when {@code gate} refused the request
     */
    public Rules rulesFor(URI url, RequestGate gate) throws InterruptedException {
        String origin = url.getScheme() + "://" + url.getRawAuthority();
        long now = nanoClock.getAsLong();
        Entry entry = cache.get(origin);
        boolean owner = false;
        if (entry == null || entry.expired(now)) {
            Entry fresh = new Entry(new CompletableFuture<>(), false, 0);
            Entry previous = entry;
            entry = previous == null ? cache.putIfAbsent(origin, fresh) : (cache.replace(origin, previous, fresh)
                    ? null : cache.get(origin));
            if (entry == null) {
                entry = fresh;
                owner = true;
            }
        }
        if (owner) {
            evictIfFull(now);
            Rules rules;
            try {
                if (!gate.open()) {
                    cache.remove(origin, entry);
                    entry.rules().completeExceptionally(new NotRequested());
                    return null;
                }
                rules = download(origin);
            } catch (InterruptedException | RuntimeException e) {
                cache.remove(origin, entry);
                entry.rules().completeExceptionally(e);
                throw e;
            }
            Duration keep = rules.unavailableReason() == null ? ttl : UNAVAILABLE_TTL;
            cache.replace(origin, entry, new Entry(entry.rules(), true, nanoClock.getAsLong() + keep.toNanos()));
            entry.rules().complete(rules);
            return rules;
        }
        try {
            return entry.rules().get();
        } catch (java.util.concurrent.ExecutionException e) {
            // the owner did not request it (its task was deferred, cancelled or interrupted): try on our own
            return rulesFor(url, gate);
        }
    }

    private Rules download(String origin) throws InterruptedException {
        String robotsUrl = origin + "/robots.txt";
        FetchResult result = fetcher.fetch(robotsUrl, mime -> true, MAX_ROBOTS_BYTES, uri -> { });
        if (result instanceof FetchResult.Failure failure) {
            if (failure.reasonClass() == ReasonClass.POLICY) {
                // a blocked or unsupported robots.txt location: the page itself is checked separately
                return rules(parser.failedFetch(404));
            }
            return new Rules(parser.failedFetch(503), Duration.ZERO, "robots.txt unavailable (" + failure.reason()
                    + ")");
        }
        FetchResult.Response response = (FetchResult.Response) result;
        int status = response.httpStatus();
        if (status >= 200 && status < 300) {
            return rules(parser.parseContent(robotsUrl, response.body(), response.mimeType(), List.of(agentName)));
        }
        if (status >= 500 || status == 429) {
            return new Rules(parser.failedFetch(503), Duration.ZERO,
                    "robots.txt unavailable (http " + status + ")");
        }
        return rules(parser.failedFetch(404));
    }

    private Rules rules(BaseRobotRules rules) {
        long delayMillis = rules.getCrawlDelay();
        Duration delay = delayMillis == BaseRobotRules.UNSET_CRAWL_DELAY || delayMillis <= 0 ? Duration.ZERO
                : Duration.ofMillis(Math.min(delayMillis, maxCrawlDelay.toMillis()));
        return new Rules(rules, delay, null);
    }

    private void evictIfFull(long now) {
        if (cache.size() > MAX_ORIGINS) {
            cache.values().removeIf(e -> e.expired(now));
        }
    }

    /** "TrawlBot/0.1 (+url)" matches robots.txt groups for "trawlbot". */
    static String productToken(String userAgent) {
        String token = userAgent.trim().split("[/\\s]", 2)[0];
        return token.isEmpty() ? "*" : token.toLowerCase(Locale.ROOT);
    }
}

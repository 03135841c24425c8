package dev.trawl.api.event;

import java.util.List;

/**
 * What a user asked to crawl.
 *
 * @param name           display name
 * @param seeds          absolute http(s) URLs; they are depth 0
 * @param maxDepth       link hops from a seed; 0 crawls only the seeds
 * @param maxPages       cap on child jobs (every scheduled URL, whatever its outcome)
 * @param sameHost       only follow links to the seeds' hosts
 * @param include        regexes a discovered URL must match one of (empty = all)
 * @param exclude        regexes that drop a discovered URL
 * @param errorTolerance how many error failures the parent tolerates, and what then
 */
public record CrawlSpec(
        String name,
        List<String> seeds,
        int maxDepth,
        int maxPages,
        boolean sameHost,
        List<String> include,
        List<String> exclude,
        ErrorTolerance errorTolerance) {

    public CrawlSpec {
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        errorTolerance = errorTolerance == null ? ErrorTolerance.UNLIMITED : errorTolerance;
    }
}

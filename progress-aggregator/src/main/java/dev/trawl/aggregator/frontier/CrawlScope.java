package dev.trawl.aggregator.frontier;

import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.id.UrlNormalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Which discovered URLs a crawl follows: same host as a seed, include and exclude regexes. */
public final class CrawlScope {

    private final boolean sameHost;
    private final Set<String> seedHosts = new HashSet<>();
    private final List<Pattern> include;
    private final List<Pattern> exclude;

    private CrawlScope(CrawlSpec spec) {
        this.sameHost = spec.sameHost();
        for (String seed : spec.seeds()) {
            UrlNormalizer.normalize(seed).map(UrlNormalizer::host).ifPresent(seedHosts::add);
        }
        this.include = spec.include().stream().map(Pattern::compile).toList();
        this.exclude = spec.exclude().stream().map(Pattern::compile).toList();
    }

    /**
     * @throws IllegalArgumentException when a regex does not compile
     */
    public static CrawlScope of(CrawlSpec spec) {
        try {
            return new CrawlScope(spec);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex: " + e.getPattern(), e);
        }
    }

    /**
     * True when the normalised URL {@code url} is to be crawled; {@code host} is its {@link UrlNormalizer#host}, which
     * the caller needs as well.
     */
    public boolean allows(String url, String host) {
        if (sameHost && !seedHosts.contains(host)) {
            return false;
        }
        if (!include.isEmpty() && !anyFinds(include, url)) {
            return false;
        }
        return exclude.isEmpty() || !anyFinds(exclude, url);
    }

    private static boolean anyFinds(List<Pattern> patterns, String url) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(url).find()) {
                return true;
            }
        }
        return false;
    }
}

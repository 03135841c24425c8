package dev.trawl.worker.parse;

import dev.trawl.api.id.UrlNormalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The links a page offers: every {@code a[href]} of the whole document (navigation included, since that is how
 * sites link their sections), resolved against the page's final URL, normalised, http(s) only, without the page
 * itself, in document order, deduplicated and capped.
 */
public final class LinkExtractor {

    private final int maxLinks;

    public LinkExtractor(int maxLinks) {
        this.maxLinks = maxLinks;
    }

    /** @param document parsed with the page's final URL as base URI */
    public List<String> extract(Document document, String pageUrl) {
        List<String> hrefs = new ArrayList<>();
        for (Element anchor : document.select("a[href]")) {
            hrefs.add(anchor.absUrl("href"));
        }
        return extract(hrefs, pageUrl);
    }

    /** @param absoluteHrefs the page's {@code a[href]} values already resolved against its URL, in document order */
    public List<String> extract(List<String> absoluteHrefs, String pageUrl) {
        String self = UrlNormalizer.normalize(pageUrl).orElse(pageUrl);
        Set<String> links = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>(); // navigation repeats links: normalise each distinct one once
        for (String absolute : absoluteHrefs) {
            if (!seen.add(absolute) || !absolute.regionMatches(true, 0, "http", 0, 4)) {
                continue; // javascript:, mailto:, tel:, data:, or unresolvable
            }
            Optional<String> normalised = UrlNormalizer.normalize(absolute);
            if (normalised.isPresent() && !normalised.get().equals(self)) {
                links.add(normalised.get());
                if (links.size() >= maxLinks) {
                    break;
                }
            }
        }
        return new ArrayList<>(links);
    }
}

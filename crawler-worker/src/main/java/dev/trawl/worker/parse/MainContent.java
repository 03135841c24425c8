package dev.trawl.worker.parse;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;

/**
 * Finds the main content of a page that marks none ({@code <main>}, {@code <article>}), in the manner of Mozilla's
 * Readability, much simplified: blocks whose class, id or role name boilerplate are dropped; every paragraph-like
 * block with some text scores for its parent (fully), grandparent (half) and great-grandparent (a sixth) by its
 * commas and length; a candidate's score is weighted by its class/id and cut by its link density (menus and link
 * lists are mostly link text); the best candidate wins, together with siblings that score nearly as well, so an
 * article split over several blocks stays whole. Without any scoring paragraph the body is the content.
 *
 * <p>Runs on a page whose scripts, navigation, headers, footers and forms are already removed; mutates it.
 */
final class MainContent {

    private static final Pattern UNLIKELY = Pattern.compile("banner|breadcrumb|combx|comment|community|cookie|"
            + "disqus|extra|foot|gdpr|header|legends|menu|related|remark|replies|rss|share|shoutbox|sidebar|skyscraper|"
            + "social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|newsletter|subscribe|promo",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern MAYBE = Pattern.compile("and|article|body|column|content|main|shadow",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern POSITIVE = Pattern.compile("article|body|content|entry|hentry|h-entry|main|page|post|"
            + "text|blog|story", Pattern.CASE_INSENSITIVE);
    private static final Pattern NEGATIVE = Pattern.compile("hidden|banner|combx|comment|com-|contact|foot|footnote|"
            + "gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|"
            + "shopping|tags|tool|widget", Pattern.CASE_INSENSITIVE);
    private static final Set<String> BOILERPLATE_ROLES = Set.of("navigation", "banner", "contentinfo",
            "complementary", "menu", "menubar", "search", "dialog", "alert", "alertdialog");
    private static final Set<String> PARAGRAPHS = Set.of("p", "pre", "td", "blockquote");
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "ul", "ol", "dl",
            "table", "pre", "blockquote", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr");
    private static final int MIN_PARAGRAPH_CHARS = 25;

    private MainContent() {
    }

    /** @return the element holding the page's main content: {@code body} itself when nothing stands out */
    static Element of(Element body) {
        dropUnlikelyBlocks(body);
        Map<Element, Double> scores = new IdentityHashMap<>();
        for (Element block : body.getAllElements()) {
            if (!isParagraph(block)) {
                continue;
            }
            String text = block.text();
            if (text.length() < MIN_PARAGRAPH_CHARS) {
                continue;
            }
            double score = 1 + count(text, ',') + Math.min(text.length() / 100, 3);
            Element ancestor = block.parent();
            for (int level = 0; level < 3 && ancestor != null; level++, ancestor = ancestor.parent()) {
                double divider = level == 0 ? 1 : level == 1 ? 2 : 6;
                scores.merge(ancestor, initialScore(ancestor) + score / divider, (a, b) -> a + score / divider);
                if (ancestor == body) {
                    break;
                }
            }
        }
        Element top = null;
        double topScore = 0;
        for (Map.Entry<Element, Double> candidate : scores.entrySet()) {
            double score = candidate.getValue() * (1 - linkDensity(candidate.getKey()));
            candidate.setValue(score);
            if (top == null || score > topScore) {
                top = candidate.getKey();
                topScore = score;
            }
        }
        if (top == null || top == body) {
            return body;
        }
        return withRelatedSiblings(top, topScore, scores);
    }

    /** The top candidate, or its parent keeping only the siblings that belong to the article (split articles). */
    private static Element withRelatedSiblings(Element top, double topScore, Map<Element, Double> scores) {
        Element parent = top.parent();
        if (parent == null) {
            return top;
        }
        double threshold = Math.max(10, topScore * 0.2);
        List<Element> unrelated = new ArrayList<>();
        boolean related = false;
        for (Element sibling : parent.children()) {
            if (sibling == top) {
                continue;
            }
            if (scores.getOrDefault(sibling, 0.0) >= threshold || isProse(sibling)) {
                related = true;
            } else {
                unrelated.add(sibling);
            }
        }
        if (!related) {
            return top;
        }
        unrelated.forEach(Element::remove);
        return parent;
    }

    private static boolean isProse(Element element) {
        if (!element.nameIs("p")) {
            return false;
        }
        int length = element.text().length();
        return length > 80 && linkDensity(element) < 0.25;
    }

    private static void dropUnlikelyBlocks(Element body) {
        List<Element> unlikely = new ArrayList<>();
        for (Element element : body.getAllElements()) {
            if (element == body) {
                continue;
            }
            String role = element.attr("role");
            if (element.hasAttr("hidden") || "true".equals(element.attr("aria-hidden"))
                    || (!role.isEmpty() && BOILERPLATE_ROLES.contains(role))) {
                unlikely.add(element);
                continue;
            }
            String names = classAndId(element);
            if (!names.isEmpty() && UNLIKELY.matcher(names).find() && !MAYBE.matcher(names).find()
                    && !element.nameIs("a")) {
                unlikely.add(element);
            }
        }
        unlikely.forEach(Element::remove); // a block inside a removed one goes with it; removing it again is harmless
    }

    private static boolean isParagraph(Element element) {
        if (PARAGRAPHS.contains(element.normalName())) {
            return true;
        }
        if (!element.nameIs("div") && !element.nameIs("section")) {
            return false;
        }
        for (Element child : element.children()) {
            if (BLOCKS.contains(child.normalName())) {
                return false; // its blocks score on their own
            }
        }
        return true;
    }

    private static double initialScore(Element element) {
        double score = switch (element.normalName()) {
            case "div", "section" -> 5;
            case "pre", "td", "blockquote" -> 3;
            case "ol", "ul", "dl", "dd", "dt", "li", "address" -> -3;
            case "h1", "h2", "h3", "h4", "h5", "h6", "th" -> -5;
            default -> 0;
        };
        String names = classAndId(element);
        if (!names.isEmpty()) {
            if (NEGATIVE.matcher(names).find()) {
                score -= 25;
            }
            if (POSITIVE.matcher(names).find()) {
                score += 25;
            }
        }
        return score;
    }

    /** Share of an element's text that is link text. */
    private static double linkDensity(Element element) {
        int length = element.text().length();
        if (length == 0) {
            return 0;
        }
        int linkLength = 0;
        for (Element anchor : element.getElementsByTag("a")) {
            linkLength += anchor.text().length();
        }
        return Math.min(1.0, (double) linkLength / length);
    }

    private static String classAndId(Element element) {
        String className = element.className();
        String id = element.id();
        return id.isEmpty() ? className : className.isEmpty() ? id : className + ' ' + id;
    }

    private static int count(String text, char c) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}

package dev.trawl.worker.parse;

import com.vladsch.flexmark.html2md.converter.FlexmarkHtmlConverter;
import com.vladsch.flexmark.util.data.MutableDataSet;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.worker.CrawlMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Turns an HTML page into a {@link ConvertedPage}: metadata and links from the whole page, Markdown from its main
 * content once scripts, navigation, headers, footers, forms and the like are removed: {@code <main>}, else
 * {@code <article>}, else what {@link MainContent} finds in {@code <body>}.
 *
 * <p>Cost matters (every page goes through here): the page is walked once to collect what the conversion needs,
 * each distinct link is resolved once (jsoup's resolution is costly) and the result serves both the link list and
 * the Markdown, and flexmark's typographic replacements (a regex over every text node) are off: the document keeps
 * the page's own quotes and dashes.
 *
 * <p>Thread-safe: the flexmark converter keeps no state between conversions, so one is built and shared.
 */
public final class PageConverter {

    private static final Set<String> BOILERPLATE = Set.of(
            "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template");

    private final FlexmarkHtmlConverter converter = FlexmarkHtmlConverter.builder(new MutableDataSet()
                    .set(FlexmarkHtmlConverter.SETEXT_HEADINGS, false)
                    .set(FlexmarkHtmlConverter.UNORDERED_LIST_DELIMITER, '-')
                    .set(FlexmarkHtmlConverter.OUTPUT_ATTRIBUTES_ID, false)
                    .set(FlexmarkHtmlConverter.TYPOGRAPHIC_QUOTES, false)
                    .set(FlexmarkHtmlConverter.TYPOGRAPHIC_SMARTS, false))
            .build();
    private final LinkExtractor linkExtractor;
    private final int maxMarkdownChars;

    public PageConverter(int maxLinks, int maxMarkdownChars) {
        this.linkExtractor = new LinkExtractor(maxLinks);
        this.maxMarkdownChars = maxMarkdownChars;
    }

    /**
     * @param charset charset named by the Content-Type header, or null to detect it (BOM, meta, else UTF-8)
     * @param pageUrl the final URL after redirects: the base for relative links
     */
    public ConvertedPage convert(byte[] html, String charset, String pageUrl) {
        long parseStart = CrawlMetrics.threadCpuNanos();
        Document document = parse(html, charset, pageUrl);
        PageScan scan = new PageScan();
        NodeTraversor.traverse(scan, document);
        List<String> links = linkExtractor.extract(scan.absolutiseLinks(), pageUrl);
        String title = blankToNull(document.title());
        String language = scan.root == null ? null : blankToNull(scan.root.attr("lang"));
        String canonical = scan.canonical == null ? null
                : UrlNormalizer.normalize(scan.canonical.absUrl("href")).orElse(null);
        scan.absolutiseImages();
        scan.boilerplate.forEach(Element::remove);
        Element content = scan.main != null ? scan.main : scan.article;
        if (content == null && document.body() != null) {
            content = MainContent.of(document.body());
        }
        CrawlMetrics.add(CrawlMetrics.Phase.PARSE, parseStart);
        long convertStart = CrawlMetrics.threadCpuNanos();
        String markdown = content == null ? "" : converter.convert(content).strip();
        boolean truncated = markdown.length() > maxMarkdownChars;
        if (truncated) {
            int end = maxMarkdownChars;
            if (Character.isHighSurrogate(markdown.charAt(end - 1))) {
                end--;
            }
            markdown = markdown.substring(0, end);
        }
        ConvertedPage page = new ConvertedPage(title, language, canonical, markdown, sha256Hex(markdown), truncated,
                links);
        CrawlMetrics.add(CrawlMetrics.Phase.CONVERT, convertStart);
        return page;
    }

    /**
     * One walk over the page collecting what the conversion needs, instead of a selector query per need. Elements
     * inside boilerplate are neither main content nor images of it; their links still count (navigation is how
     * sites link their sections).
     */
    private static final class PageScan implements NodeVisitor {
        final List<Element> anchors = new ArrayList<>();
        final List<Element> images = new ArrayList<>();
        final List<Element> boilerplate = new ArrayList<>();
        Element root;
        Element canonical;
        Element main;
        Element article;
        private int boilerplateDepth;

        @Override
        public void head(Node node, int depth) {
            if (!(node instanceof Element element)) {
                return;
            }
            String name = element.normalName();
            if (BOILERPLATE.contains(name)) {
                if (boilerplateDepth++ == 0) {
                    boilerplate.add(element); // removed after the walk; its links are still collected below
                }
                return;
            }
            switch (name) {
                case "a" -> {
                    if (element.hasAttr("href")) {
                        anchors.add(element);
                    }
                }
                case "img" -> {
                    if (boilerplateDepth == 0 && element.hasAttr("src")) {
                        images.add(element);
                    }
                }
                case "html" -> root = root == null ? element : root;
                case "link" -> {
                    if (canonical == null && element.hasAttr("href")
                            && element.attr("rel").trim().equalsIgnoreCase("canonical")) {
                        canonical = element;
                    }
                }
                case "main" -> main = main == null && boilerplateDepth == 0 ? element : main;
                case "article" -> article = article == null && boilerplateDepth == 0 ? element : article;
                default -> {
                }
            }
        }

        @Override
        public void tail(Node node, int depth) {
            if (node instanceof Element element && BOILERPLATE.contains(element.normalName())) {
                boilerplateDepth--;
            }
        }

        /**
         * Resolves every link once: the absolute URL replaces {@code href} (links in a stored document must work
         * without the page they came from) and feeds the link list.
         *
         * @return the absolute hrefs in document order ("" where unresolvable)
         */
        List<String> absolutiseLinks() {
            Map<String, String> resolved = new HashMap<>();
            List<String> hrefs = new ArrayList<>(anchors.size());
            for (Element anchor : anchors) {
                String absolute = resolved.computeIfAbsent(anchor.attr("href"), href -> anchor.absUrl("href"));
                if (!absolute.isEmpty()) {
                    anchor.attr("href", absolute);
                }
                hrefs.add(absolute);
            }
            return hrefs;
        }

        void absolutiseImages() {
            for (Element image : images) {
                String absolute = image.absUrl("src");
                if (!absolute.isEmpty()) {
                    image.attr("src", absolute);
                }
            }
        }
    }

    private static Document parse(byte[] html, String charset, String pageUrl) {
        String known = charset != null && isSupported(charset) ? charset : null;
        try {
            return Jsoup.parse(new ByteArrayInputStream(html), known, pageUrl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read an in-memory page", e);
        }
    }

    private static boolean isSupported(String charset) {
        try {
            return Charset.isSupported(charset);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static String sha256Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}

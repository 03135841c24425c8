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
import java.util.HexFormat;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Turns an HTML page into a {@link ConvertedPage}: metadata and links from the whole page, Markdown from its main
 * content ({@code <main>}, else {@code <article>}, else {@code <body>}) once scripts, navigation, headers,
 * footers, forms and the like are removed.
 *
 * <p>Thread-safe: the flexmark converter keeps no state between conversions, so one is built and shared.
 */
public final class PageConverter {

    private static final String BOILERPLATE =
            "script, style, noscript, nav, header, footer, aside, form, iframe, svg, template";

    private final FlexmarkHtmlConverter converter = FlexmarkHtmlConverter.builder(new MutableDataSet()
                    .set(FlexmarkHtmlConverter.SETEXT_HEADINGS, false)
                    .set(FlexmarkHtmlConverter.UNORDERED_LIST_DELIMITER, '-')
                    .set(FlexmarkHtmlConverter.OUTPUT_ATTRIBUTES_ID, false))
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
        List<String> links = linkExtractor.extract(document, pageUrl);
        String title = blankToNull(document.title());
        Element root = document.selectFirst("html");
        String language = root == null ? null : blankToNull(root.attr("lang"));
        Element canonicalLink = document.selectFirst("link[rel=canonical][href]");
        String canonical = canonicalLink == null ? null
                : UrlNormalizer.normalize(canonicalLink.absUrl("href")).orElse(null);

        document.select(BOILERPLATE).remove();
        Element content = document.selectFirst("main");
        if (content == null) {
            content = document.selectFirst("article");
        }
        if (content == null) {
            content = document.body();
        }
        Element main = content == null ? null : absolutise(content);
        CrawlMetrics.add(CrawlMetrics.Phase.PARSE, parseStart);
        long convertStart = CrawlMetrics.threadCpuNanos();
        String markdown = main == null ? "" : converter.convert(main).strip();
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

    /** Links and images in a stored document must work without the page they came from. */
    private static Element absolutise(Element content) {
        for (Element anchor : content.select("a[href]")) {
            String absolute = anchor.absUrl("href");
            if (!absolute.isEmpty()) {
                anchor.attr("href", absolute);
            }
        }
        for (Element image : content.select("img[src]")) {
            String absolute = image.absUrl("src");
            if (!absolute.isEmpty()) {
                image.attr("src", absolute);
            }
        }
        return content;
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

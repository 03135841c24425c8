package dev.trawl.bench.crawl;

import dev.trawl.worker.parse.PageConverter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Median time of one {@link PageConverter#convert} (jsoup parse, links, metadata, main content, flexmark Markdown,
 * hash) of a generated 20 KB article, in this thread: a focused figure for conversion work, also printed by
 * {@link CrawlBenchmark}.
 *
 * <p>{@code bench/run dev.trawl.bench.crawl.ConversionBenchmark [rounds=5]}
 */
public final class ConversionBenchmark {

    private ConversionBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        byte[] page = article20k();
        System.out.printf("page: %d bytes, Markdown: %d chars%n", page.length,
                new PageConverter(2_000, 200_000).convert(page, "utf-8", "http://example.com/article")
                        .markdown().length());
        for (int r = 1; r <= rounds; r++) {
            System.out.printf("round %d: median conversion of a 20 KB page: %.3f ms%n", r, medianMillis(page));
        }
    }

    /** Median over 2,000 conversions (after 500 warm-up ones) of {@link #article20k()}. */
    static double medianConversionMillis() {
        return medianMillis(article20k());
    }

    private static double medianMillis(byte[] page) {
        PageConverter converter = new PageConverter(2_000, 200_000);
        for (int i = 0; i < 500; i++) {
            converter.convert(page, "utf-8", "http://example.com/article");
        }
        long[] nanos = new long[2_000];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            converter.convert(page, "utf-8", "http://example.com/article");
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    /** A generated 20 KB article: headings, paragraphs with inline markup and links, lists; nav and footer. */
    static byte[] article20k() {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><title>Article</title>"
                + "<script>var a = 1;</script></head><body><nav><a href=\"/\">Home</a></nav><main><h1>Article</h1>");
        for (int i = 0; html.length() < 20 * 1024; i++) {
            html.append("<h2>Section ").append(i).append("</h2><p>Some <strong>bold</strong> and <em>emphasised</em>"
                    + " text with <a href=\"/link/").append(i).append("\">a link</a> and <code>code</code>, as "
                    + "articles have.</p><ul><li>one</li><li>two</li></ul>");
        }
        return html.append("</main><footer>f</footer></body></html>").toString().getBytes(StandardCharsets.UTF_8);
    }
}

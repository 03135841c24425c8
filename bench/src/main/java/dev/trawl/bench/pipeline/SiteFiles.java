package dev.trawl.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A generated site written to disk, for a real server to serve as static files: page {@code i} is the file
 * {@code p/i} and links to its children {@code 3i+1..3i+3} in a 3-ary tree (so every page is reachable from
 * {@code p/0}) plus 4 pages drawn at random (seed 42), about 2.5 KB of HTML each, like testkit's
 * {@code GeneratedSite}. Every link is relative ({@code href="17"}), so the same files serve under any path
 * prefix: each crawl gets a prefix of its own ({@link #publish}), and the server's access log tells whose a
 * request was.
 */
final class SiteFiles {

    private static final int RANDOM_LINKS = 4;

    private final Path dir;
    private final int pages;

    private SiteFiles(Path dir, int pages) {
        this.dir = dir;
        this.pages = pages;
    }

    /** Writes {@code pages} pages into {@code dir/p/}. */
    static SiteFiles write(Path dir, int pages) {
        try {
            Files.createDirectories(dir.resolve("p"));
            Random random = new Random(42);
            for (int i = 0; i < pages; i++) {
                Files.writeString(dir.resolve("p").resolve(Integer.toString(i)), render(i, pages, random),
                        StandardCharsets.UTF_8);
            }
            return new SiteFiles(dir, pages);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the site to " + dir, e);
        }
    }

    int pages() {
        return pages;
    }

    /** Makes the site appear under {@code /prefix/} of the document root {@code www} (a symbolic link). */
    void publish(Path www, String prefix) {
        try {
            Files.createSymbolicLink(www.resolve(prefix), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the site under " + prefix, e);
        }
    }

    private static String render(int page, int pages, Random random) {
        StringBuilder html = new StringBuilder(3072);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page ").append(page)
                .append("</title><style>body{font-family:sans-serif}</style></head><body><main><h1>Page ")
                .append(page).append("</h1>");
        for (int p = 0; p < 4; p++) {
            html.append("<p>Paragraph ").append(p).append(" of page ").append(page)
                    .append(": Trawl crawls this generated site to measure the whole pipeline, from the fetch of ")
                    .append("a page to the <strong>snapshot</strong> a watcher sees.</p>");
        }
        html.append("<ul>");
        for (int c = 3 * page + 1; c <= 3 * page + 3 && c < pages; c++) {
            link(html, c);
        }
        for (int r = 0; r < RANDOM_LINKS; r++) {
            link(html, random.nextInt(pages));
        }
        html.append("</ul></main><footer>Generated page ").append(page).append("</footer></body></html>\n");
        return html.toString();
    }

    private static void link(StringBuilder html, int target) {
        html.append("<li><a href=\"").append(target).append("\">page ").append(target).append("</a></li>");
    }
}

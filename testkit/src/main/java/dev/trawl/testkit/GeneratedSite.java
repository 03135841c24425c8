package dev.trawl.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A generated website served on loopback: {@code pages} linked HTML pages under {@code /p/N}, with the link
 * shapes real sites have — relative links, fragments, trailing-slash variants, links back to seen pages,
 * off-site links and links to missing pages (404). It knows its own link graph, so a test can compute exactly
 * which pages a crawl must reach.
 */
public final class GeneratedSite implements AutoCloseable {

    static {
        // the JDK server leaves Nagle on: headers and body go out as two writes, and the second waits for the
        // client's delayed ACK (about 40 ms per response on Linux), which capped a site at ~16 / 40 ms. Read once,
        // when the JDK's server classes first load; -Dsun.net.httpserver.nodelay=false still wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final String OFF_SITE = "http://offsite.invalid/elsewhere";

    private final int pages;
    private final int brokenEvery;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<Integer, List<String>> links = new HashMap<>();
    private final AtomicLong requests = new AtomicLong();

    private GeneratedSite(int pages, int brokenEvery, long seed, int threads) throws IOException {
        this.pages = pages;
        this.brokenEvery = brokenEvery;
        Random random = new Random(seed);
        for (int i = 0; i < pages; i++) {
            links.put(i, linksOf(i, random));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "generated-site");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param pages       number of pages, all reachable from {@link #seedUrl()}
     * @param brokenEvery every n-th page also links to a missing page (0 = none)
     */
    public static GeneratedSite start(int pages, int brokenEvery) {
        try {
            return new GeneratedSite(pages, brokenEvery, 42L, 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the generated site", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String seedUrl() {
        return baseUrl() + "/p/0";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public long requests() {
        return requests.get();
    }

    /** Distinct pages (200) reachable from the seed within {@code maxDepth} link hops, same host only. */
    public int reachablePages(int maxDepth) {
        return (int) reachable(maxDepth).stream().filter(p -> p.startsWith("/p/")).count();
    }

    /** Distinct missing pages (404) reachable from the seed within {@code maxDepth} link hops. */
    public int reachableMissing(int maxDepth) {
        return (int) reachable(maxDepth).stream().filter(p -> p.startsWith("/missing/")).count();
    }

    private Set<String> reachable(int maxDepth) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        Map<String, Integer> depth = new HashMap<>();
        seen.add("/p/0");
        depth.put("/p/0", 0);
        queue.add("/p/0");
        while (!queue.isEmpty()) {
            String path = queue.poll();
            int d = depth.get(path);
            if (d >= maxDepth || !path.startsWith("/p/")) {
                continue;
            }
            for (String href : links.get(Integer.parseInt(path.substring(3)))) {
                String target = canonicalPath(path, href);
                if (target != null && seen.add(target)) {
                    depth.put(target, d + 1);
                    queue.add(target);
                }
            }
        }
        return seen;
    }

    /** The canonical page path an href on {@code from} leads to, or null when it leaves the site. */
    private static String canonicalPath(String from, String href) {
        if (href.startsWith("http")) {
            return null;
        }
        String path = href;
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        if (!path.startsWith("/")) {
            path = from.substring(0, from.lastIndexOf('/') + 1) + path; // "/p/" + "12"
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private List<String> linksOf(int i, Random random) {
        List<String> out = new ArrayList<>();
        // a tree keeps every page reachable: children 3i+1..3i+3
        for (int c = 3 * i + 1; c <= 3 * i + 3 && c < pages; c++) {
            switch (c % 4) {
                case 0 -> out.add(String.valueOf(c));                 // relative
                case 1 -> out.add("/p/" + c + "#section-" + c);     // fragment
                case 2 -> out.add("/p/" + c + "/");                  // trailing-slash variant (301 to /p/c)
                default -> out.add("/p/" + c);                        // absolute path
            }
        }
        out.add("/p/0");                                           // back to a seen page
        out.add("/p/" + random.nextInt(pages));                    // anywhere, often seen already
        out.add("#top");                                           // same page
        if (i % 10 == 0) {
            out.add(OFF_SITE);
        }
        if (brokenEvery > 0 && i % brokenEvery == 0) {
            out.add("/missing/" + i);
        }
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                // as real sites do: the trailing-slash variant redirects to the page, so relative links resolve
                exchange.getResponseHeaders().set("Location", path.substring(0, path.length() - 1));
                exchange.sendResponseHeaders(301, -1);
                return;
            }
            Integer page = null;
            if (path.startsWith("/p/")) {
                try {
                    page = Integer.parseInt(path.substring(3));
                } catch (NumberFormatException ignored) {
                    page = null;
                }
            }
            if (page == null || page < 0 || page >= pages) {
                byte[] body = "<html><body><h1>Not found</h1></body></html>".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            byte[] body = render(page).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private String render(int page) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page ").append(page)
                .append("</title><style>body{font-family:sans-serif}</style><script>var x = 1;</script></head><body>")
                .append("<nav><a href=\"/p/0\">Home</a></nav><main><h1 id=\"top\">Page ").append(page).append("</h1>");
        for (int p = 0; p < 4; p++) {
            html.append("<p>Paragraph ").append(p).append(" of page ").append(page)
                    .append(": Trawl crawls this generated site to prove that every reachable page is fetched once, ")
                    .append("converted to <strong>Markdown</strong> and counted exactly.</p>");
        }
        html.append("<ul>");
        for (String href : links.get(page)) {
            html.append("<li><a href=\"").append(href).append("\">link to ").append(href).append("</a></li>");
        }
        html.append("</ul></main><footer>Generated page ").append(page).append("</footer></body></html>");
        return html.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

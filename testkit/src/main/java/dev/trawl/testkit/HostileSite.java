package dev.trawl.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A web server that does what hostile or broken servers do, on a loopback address of its own choosing (e.g.
 * {@code 127.0.0.3}, so a crawler can open exactly that address and keep {@code 127.0.0.1} denied). Its index page
 * {@code /} links to every case in {@link #CASES}. robots.txt disallows {@code /private/} and asks for a
 * crawl delay of {@code crawlDelaySeconds} (0 = none).
 *
 * <p>The slow and endless cases write until the client goes away (or a minute passes); stopping the site cuts
 * them off.
 */
public final class HostileSite implements AutoCloseable {

    static {
        // the JDK server leaves Nagle on: headers and body go out as two writes, and the second waits for the
        // client's delayed ACK (about 40 ms per response on Linux), which capped a site at ~16 / 40 ms. Read once,
        // when the JDK's server classes first load; -Dsun.net.httpserver.nodelay=false still wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Every hostile path the index links to, in link order. */
    public static final List<String> CASES = List.of(
            "/ok", "/slow-drip", "/endless", "/huge", "/gzip-bomb", "/gzip-ok", "/redirect-loop",
            "/redirect-to-loopback", "/redirect-to-metadata", "/bad-charset", "/binary", "/flaky", "/missing",
            "/rate-limited", "/private/secret", "/image");

    /** Size of {@code /huge}. */
    public static final int HUGE_BYTES = 50 * 1024 * 1024;
    /** Decoded size of {@code /gzip-bomb} (about 100 KB on the wire). */
    public static final long BOMB_DECODED_BYTES = 100L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String host;
    private final double crawlDelaySeconds;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> hitNanos = new ConcurrentHashMap<>();
    private static byte[] bomb;

    private HostileSite(String host, double crawlDelaySeconds) throws IOException {
        this.host = host;
        this.crawlDelaySeconds = crawlDelaySeconds;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hostile-site");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** @param host a loopback address literal such as {@code 127.0.0.3} */
    public static HostileSite start(String host, double crawlDelaySeconds) {
        try {
            // built before the site answers: compressing 100 MB takes a while on a busy machine, and a crawler's read
            // timeout would meet that wait instead of the bomb
            bomb();
            return new HostileSite(host, crawlDelaySeconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the hostile site", e);
        }
    }

    public String baseUrl() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    public String url(String path) {
        return baseUrl() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests seen for {@code path}. */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** {@link System#nanoTime()} of each request for {@code path}, in arrival order. */
    public List<Long> hitTimes(String path) {
        List<Long> times = hitNanos.get(path);
        return times == null ? List.of() : List.copyOf(times);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        hitNanos.computeIfAbsent(path, p -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime());
        try (ex) {
            switch (path) {
                case "/" -> send(ex, 200, "text/html; charset=utf-8", index());
                case "/robots.txt" -> send(ex, 200, "text/plain", ("User-agent: *\nDisallow: /private/\n"
                        + (crawlDelaySeconds > 0 ? "Crawl-delay: " + crawlDelaySeconds + "\n" : "")).getBytes(
                        StandardCharsets.UTF_8));
                case "/ok" -> send(ex, 200, "text/html; charset=utf-8", page("A fine page"));
                case "/slow-drip" -> drip(ex);
                case "/endless" -> endless(ex);
                case "/huge" -> huge(ex);
                case "/gzip-bomb" -> {
                    ex.getResponseHeaders().set("Content-Encoding", "gzip");
                    send(ex, 200, "text/html", bomb());
                }
                case "/gzip-ok" -> {
                    ex.getResponseHeaders().set("Content-Encoding", "gzip");
                    send(ex, 200, "text/html; charset=utf-8", gzip(page("Compressed page")));
                }
                case "/redirect-loop", "/loop/a" -> redirect(ex, "/loop/b");
                case "/loop/b" -> redirect(ex, "/loop/a");
                case "/redirect-to-loopback" -> redirect(ex, "http://127.0.0.1:" + port() + "/ok");
                case "/redirect-to-metadata" -> redirect(ex, "http://169.254.169.254/latest/meta-data/");
                case "/bad-charset" -> send(ex, 200, "text/html; charset=x-no-such-charset",
                        page("Bad charset caf\u00e9"));
                case "/binary" -> send(ex, 200, "text/html", binary());
                case "/flaky" -> {
                    if (hits("/flaky") == 1) {
                        send(ex, 500, "text/html", "<h1>oops</h1>".getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(ex, 200, "text/html; charset=utf-8", page("Flaky page, second try"));
                    }
                }
                case "/rate-limited" -> {
                    if (hits("/rate-limited") == 1) {
                        ex.getResponseHeaders().set("Retry-After", "1");
                        send(ex, 429, "text/html", "<h1>slow down</h1>".getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(ex, 200, "text/html; charset=utf-8", page("Rate-limited page, after waiting"));
                    }
                }
                case "/private/secret" -> send(ex, 200, "text/html", page("robots.txt forbids this"));
                case "/image" -> send(ex, 200, "image/png", binary());
                default -> send(ex, 404, "text/html", "<h1>Not found</h1>".getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException clientWentAway) {
            // the crawler cut the connection (cap, deadline): exactly what these pages provoke
        }
    }

    private byte[] index() {
        StringBuilder html = new StringBuilder("<html lang=\"en\"><head><title>Hostile index</title></head><body>"
                + "<main><h1>Hostile pages</h1><ul>");
        for (String c : CASES) {
            html.append("<li><a href=\"").append(c).append("\">").append(c).append("</a></li>");
        }
        return html.append("</ul></main></body></html>").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] page(String text) {
        return ("<html><head><title>" + text + "</title></head><body><main><h1>" + text + "</h1><p>" + text
                + "</p></main></body></html>").getBytes(StandardCharsets.UTF_8);
    }

    private static void drip(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/html");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < end) {
                out.write('<');
                out.flush();
                Thread.sleep(200); // the hostile server's pace, not a test wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void endless(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/html");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        byte[] chunk = "<p>and on and on and on</p>\n".repeat(256).getBytes(StandardCharsets.UTF_8);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            out.write(chunk);
        }
    }

    private static void huge(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/html");
        ex.sendResponseHeaders(200, HUGE_BYTES);
        OutputStream out = ex.getResponseBody();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < HUGE_BYTES; sent += chunk.length) {
            out.write(chunk, 0, Math.min(chunk.length, HUGE_BYTES - sent));
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(302, -1);
    }

    private static byte[] binary() {
        byte[] png = new byte[8 * 1024];
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};
        System.arraycopy(magic, 0, png, 0, magic.length);
        for (int i = magic.length; i < png.length; i++) {
            png[i] = (byte) (i * 31);
        }
        return png;
    }

    private static synchronized byte[] bomb() throws IOException {
        if (bomb == null) {
            bomb = gzipBomb();
        }
        return bomb;
    }

    private static byte[] gzipBomb() throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed, 64 * 1024)) {
            gz.write("<html><body><p>".getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1024 * 1024];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (long written = 0; written < BOMB_DECODED_BYTES; written += spaces.length) {
                gz.write(spaces);
            }
        }
        return compressed.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(data);
        }
        return compressed.toByteArray();
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package dev.trawl.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback site that records the {@link System#nanoTime()} at which it starts handling every request (robots.txt
 * included), so a test can check the gaps a crawler leaves between requests to one host, or count what it fetched
 * after a given moment. It listens on a loopback address of the test's choosing (e.g. {@code 127.0.0.11}), so its
 * host is its own and no other test's crawl shares its politeness.
 *
 * <p>Pages {@code /p/0 .. /p/(pages-1)}: page {@code i} links to its tree children {@code fanout*i+1 ..
 * fanout*i+fanout}, to {@code randomLinks} pseudo-random pages and back to {@code /p/0}. Every page answers 200, so
 * a crawl of all of them ends with exactly {@code pages} completed children and none failed. robots.txt allows
 * everything and says {@code Crawl-delay: n} when one is set.
 *
 * <p>Timing allowance: the time recorded is when a handler thread of the JDK server picks the request up, not when
 * its bytes arrived; on a busy machine the two differ by the dispatcher's and the thread's scheduling delay. Tests
 * comparing gaps allow for it explicitly.
 */
public final class RecordingSite implements AutoCloseable {

    static {
        // see GeneratedSite: without TCP_NODELAY each response waits for the client's delayed ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * One request as the site saw it: its path, when a handler started on it and when its response was written
     * ({@link System#nanoTime()}; {@code endNanos} is {@link Long#MAX_VALUE} while it is being served).
     */
    public record Request(String path, long startNanos, long endNanos) {
        public boolean isPage() {
            return path.startsWith("/p/");
        }
    }

    private static final class Entry {
        final String path;
        final long start;
        volatile long end = Long.MAX_VALUE;

        Entry(String path, long start) {
            this.path = path;
            this.start = start;
        }
    }

    private final String host;
    private final int pages;
    private final List<List<Integer>> links = new ArrayList<>();
    private final double crawlDelaySeconds;
    private final Duration serviceTime;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Entry> requests = new ConcurrentLinkedQueue<>();

    private RecordingSite(String host, int pages, int fanout, int randomLinks, double crawlDelaySeconds,
                          Duration serviceTime) throws IOException {
        this.host = host;
        this.pages = pages;
        this.crawlDelaySeconds = crawlDelaySeconds;
        this.serviceTime = serviceTime;
        Random random = new Random(7L);
        for (int i = 0; i < pages; i++) {
            List<Integer> out = new ArrayList<>();
            for (int c = fanout * i + 1; c <= fanout * i + fanout && c < pages; c++) {
                out.add(c);
            }
            for (int r = 0; r < randomLinks; r++) {
                out.add(random.nextInt(pages));
            }
            out.add(0);
            links.add(out);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 512);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "recording-site");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param host              a loopback address literal, e.g. {@code 127.0.0.11}
     * @param pages             number of pages, all reachable from {@link #seedUrl()} (a tree)
     * @param fanout            tree children per page (at least 1)
     * @param randomLinks       further links per page to pseudo-random pages (discovery outruns the crawl)
     * @param crawlDelaySeconds robots.txt {@code Crawl-delay}; 0 = none
     * @param serviceTime       how long the server takes over each page (its own pace; zero = at once)
     */
    public static RecordingSite start(String host, int pages, int fanout, int randomLinks, double crawlDelaySeconds,
                                      Duration serviceTime) {
        if (pages < 1 || fanout < 1) {
            throw new IllegalArgumentException("pages and fanout must be >= 1");
        }
        try {
            return new RecordingSite(host, pages, fanout, randomLinks, crawlDelaySeconds, serviceTime);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the recording site on " + host, e);
        }
    }

    public String baseUrl() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    public String seedUrl() {
        return baseUrl() + "/p/0";
    }

    public int pages() {
        return pages;
    }

    /** Every request so far, robots.txt included, in the order their handlers started. */
    public List<Request> requests() {
        List<Request> all = new ArrayList<>();
        for (Entry e : requests) {
            all.add(new Request(e.path, e.start, e.end));
        }
        all.sort(Comparator.comparingLong(Request::startNanos));
        return all;
    }

    /** Page requests (not robots.txt) whose handler started after {@code nanos} ({@link System#nanoTime()}). */
    public List<Request> pageRequestsAfter(long nanos) {
        return requests().stream().filter(Request::isPage).filter(r -> r.startNanos() - nanos > 0).toList();
    }

    /** The most page requests the site was serving at one time. */
    public int maxConcurrentPageRequests() {
        return maxConcurrentPageRequests(List.of(this));
    }

    /** The most page requests {@code sites} were serving at one time, all together. */
    public static int maxConcurrentPageRequests(List<RecordingSite> sites) {
        List<long[]> edges = new ArrayList<>(); // {time, +1 | -1}
        for (RecordingSite site : sites) {
            for (Request r : site.requests()) {
                if (r.isPage()) {
                    edges.add(new long[] {r.startNanos(), 1});
                    edges.add(new long[] {r.endNanos(), -1});
                }
            }
        }
        // at equal times an end comes first: a request that ended as another started did not overlap it
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int active = 0;
        int max = 0;
        for (long[] edge : edges) {
            active += (int) edge[1];
            max = Math.max(max, active);
        }
        return max;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Entry entry = new Entry(exchange.getRequestURI().getPath(), System.nanoTime());
        requests.add(entry);
        String path = entry.path;
        try (exchange) {
            if (path.equals("/robots.txt")) {
                send(exchange, 200, "text/plain", ("User-agent: *\nDisallow:\n" + (crawlDelaySeconds > 0
                        ? "Crawl-delay: " + format(crawlDelaySeconds) + "\n" : "")).getBytes(StandardCharsets.UTF_8));
                return;
            }
            Integer page = pageOf(path);
            if (page == null) {
                send(exchange, 404, "text/html", "<h1>Not found</h1>".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!serviceTime.isZero()) {
                Thread.sleep(serviceTime.toMillis()); // the server's own pace, not a test wait
            }
            send(exchange, 200, "text/html; charset=utf-8", render(page));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientWentAway) {
            // the crawler cut the connection: nothing to answer
        } finally {
            entry.end = System.nanoTime();
        }
    }

    private Integer pageOf(String path) {
        if (!path.startsWith("/p/")) {
            return null;
        }
        try {
            int page = Integer.parseInt(path.substring(3));
            return page >= 0 && page < pages ? page : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private byte[] render(int page) {
        StringBuilder html = new StringBuilder(1024).append("<!DOCTYPE html><html lang=\"en\"><head><title>Page ")
                .append(page).append("</title></head><body><main><h1>Page ").append(page).append("</h1><p>Page ")
                .append(page).append(" of a site that records when each request started.</p><ul>");
        for (int target : links.get(page)) {
            html.append("<li><a href=\"/p/").append(target).append("\">page ").append(target).append("</a></li>");
        }
        return html.append("</ul></main></body></html>").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

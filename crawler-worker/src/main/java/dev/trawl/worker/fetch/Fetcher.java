package dev.trawl.worker.fetch;

import static dev.trawl.worker.fetch.ResponseHeaders.header;

import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.worker.fetch.FetchResult.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches one URL over HTTP/1.1 with the SSRF guard applied to every hop. Redirects are followed here, not by the
 * client, so each target is checked (scheme, loops, hop count) before it is requested; every new connection
 * resolves its host once through {@link GuardedDnsResolver}, which checks the addresses and gives the client
 * only those, so the connection goes to an address that passed the guard (no second DNS lookup). No proxy: a
 * proxy would connect on our behalf and void the address check.
 *
 * <p>The whole fetch, hops and body included, runs under one deadline (a timer aborts the request, so a server
 * dripping one byte per read timeout cannot stretch it). Bodies are decoded here (gzip, deflate) and capped in
 * decoded bytes, so a compression bomb stops at the cap; bodies nobody will read (errors, redirects, unwanted
 * content types) are not downloaded at all.
 *
 * <p>Thread-safe: one instance serves every concurrent fetch of a worker.
 */
public final class Fetcher implements AutoCloseable {

    /** Settings of a {@link Fetcher}. */
    public record Options(String userAgent, Duration connectTimeout, Duration readTimeout, Duration deadline,
                          int maxRedirects) {
    }

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final Options options;
    private final CloseableHttpClient client;
    private final ScheduledExecutorService deadlines;

    public Fetcher(Options options, AddressPolicy addressPolicy, int maxConnections) {
        this.options = options;
        Timeout connect = Timeout.of(options.connectTimeout());
        Timeout read = Timeout.of(options.readTimeout());
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new GuardedDnsResolver(addressPolicy))
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(read).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect)
                                .setSocketTimeout(read).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(read)
                        .setConnectionRequestTimeout(Timeout.of(options.deadline())).build())
                .setUserAgent(options.userAgent())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trawl-fetch-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param url             absolute http(s) URL
     * @param acceptedMime    which 2xx media types have their body downloaded; others end in a policy failure
     * @param maxBodyBytes    decoded body bytes kept at most
     * @param beforeRedirect  called before each redirect hop is requested (politeness)
     */
    public FetchResult fetch(String url, Predicate<String> acceptedMime, int maxBodyBytes,
                             Consumer<URI> beforeRedirect) throws InterruptedException {
        long deadline = System.nanoTime() + options.deadline().toNanos();
        Set<String> visited = new HashSet<>();
        String current = UrlNormalizer.normalize(url).orElse(url);
        for (int hop = 0; ; hop++) {
            URI uri;
            try {
                uri = URI.create(current);
            } catch (IllegalArgumentException e) {
                return Failure.policy("invalid url");
            }
            visited.add(current);
            Optional<Failure> unsupported = checkScheme(uri);
            if (unsupported.isPresent()) {
                return unsupported.get();
            }
            if (hop > 0) {
                beforeRedirect.accept(uri);
            }
            FetchResult result = request(uri, acceptedMime, maxBodyBytes, deadline);
            if (!(result instanceof FetchResult.Response response) || !REDIRECTS.contains(response.httpStatus())) {
                return result;
            }
            String location = response.location();
            if (location == null) {
                return new Failure("redirect without location", ReasonClass.ERROR, response.httpStatus(), false);
            }
            Optional<String> next = resolve(uri, location);
            if (next.isEmpty()) {
                return new Failure("unsupported redirect target", ReasonClass.POLICY, response.httpStatus(), false);
            }
            if (visited.contains(next.get())) {
                return new Failure("redirect loop", ReasonClass.ERROR, response.httpStatus(), false);
            }
            if (hop + 1 > options.maxRedirects()) {
                return new Failure("too many redirects", ReasonClass.ERROR, response.httpStatus(), false);
            }
            current = next.get();
        }
    }

    private static Optional<Failure> checkScheme(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of(Failure.policy("unsupported scheme " + scheme));
        }
        if (uri.getHost() == null) {
            return Optional.of(Failure.policy("invalid url"));
        }
        return Optional.empty();
    }

    private FetchResult request(URI uri, Predicate<String> acceptedMime, int maxBodyBytes, long deadline)
            throws InterruptedException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return deadlinePassed();
        }
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
        get.setHeader("Accept-Encoding", "gzip, deflate");
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> abort = deadlines.schedule(() -> {
            timedOut.set(true);
            get.cancel();
        }, remaining, TimeUnit.NANOSECONDS);
        ClassicHttpResponse response = null;
        InputStream raw = null;
        // a body we will not read to its end is cut off with the connection: closing it normally would drain it
        boolean discard = false;
        try {
            response = client.executeOpen(null, get, null);
            int status = response.getCode();
            ContentType contentType = ContentType.parseLenient(header(response, "Content-Type", ""));
            String mime = ResponseHeaders.mimeOf(contentType);
            HttpEntity entity = response.getEntity();
            boolean wanted = status / 100 == 2 && acceptedMime.test(mime);
            ResponseBody body = ResponseBody.EMPTY;
            if (wanted && entity != null) {
                String encoding = header(response, "Content-Encoding", "identity").trim().toLowerCase(Locale.ROOT);
                raw = entity.getContent();
                InputStream decoded = ResponseBody.decoding(encoding, raw);
                if (decoded == null) {
                    discard = true;
                    return new Failure("unsupported content encoding " + encoding, ReasonClass.POLICY, status, false);
                }
                body = ResponseBody.readCapped(decoded, maxBodyBytes, deadline);
                discard = body.truncated();
            } else if (entity != null) {
                discard = !ResponseBody.drained(entity);
            }
            return new FetchResult.Response(uri.toString(), status, mime, ResponseHeaders.charsetOf(contentType),
                    body.bytes(), body.truncated(), header(response, "Location", null),
                    ResponseHeaders.retryAfter(header(response, "Retry-After", null), Instant.now()));
        } catch (IOException | RuntimeException e) {
            discard = true;
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("fetch interrupted");
            }
            if (timedOut.get()) {
                return deadlinePassed();
            }
            return classify(e);
        } finally {
            abort.cancel(false);
            if (discard) {
                ResponseBody.cutOff(response, raw, get::cancel);
            }
            if (response != null) {
                try {
                    response.close();
                } catch (IOException | RuntimeException closingCutConnection) {
                    // expected after a cancel: the socket is gone, which is what we wanted
                }
            }
        }
    }

    private Failure deadlinePassed() {
        return Failure.error("timeout after " + seconds(options.deadline()), true);
    }

    private Failure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof GuardedDnsResolver.BlockedAddressException blocked) {
                return Failure.policy(blocked.getMessage());
            }
            if (t instanceof ConnectTimeoutException) {
                return Failure.error("connect timeout after " + seconds(options.connectTimeout()), true);
            }
            if (t instanceof SocketTimeoutException) {
                return Failure.error("timeout after " + seconds(options.readTimeout()), true);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return Failure.error("connection refused", true);
            }
            if (t instanceof UnknownHostException unknown) {
                return Failure.error("unknown host " + unknown.getMessage(), false);
            }
            if (t instanceof SSLException) {
                return Failure.error("tls error: " + t.getMessage(), false);
            }
            if (t instanceof java.util.zip.ZipException) {
                return Failure.error("corrupt compressed body: " + t.getMessage(), false);
            }
        }
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
        return Failure.error("connection error: " + message, true);
    }

    static Optional<String> resolve(URI base, String location) {
        try {
            return UrlNormalizer.normalize(base.resolve(location.trim()).toString());
        } catch (IllegalArgumentException e) {
            return UrlNormalizer.normalize(location.trim());
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            // closing idle connections; nothing to recover
        }
    }
}

package dev.trawl.worker.fetch;

import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.worker.fetch.CappedBodySubscriber.Body;
import dev.trawl.worker.fetch.FetchResult.Failure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;

/**
 * Fetches one URL over HTTP/1.1 with the SSRF guard applied to every hop. Redirects are followed here, not by the
 * client, so each target is checked (scheme, resolved addresses, loops) before anything connects to it. The
 * whole fetch, hops and body included, runs under one deadline; bodies are capped, and bodies of responses
 * nobody will read (errors, redirects, unwanted content types) are not downloaded at all.
 *
 * <p>Thread-safe: one instance serves every concurrent fetch of a worker.
 */
public final class Fetcher {

    /** Settings of a {@link Fetcher}. */
    public record Options(String userAgent, Duration connectTimeout, Duration readTimeout, Duration deadline,
                          int maxRedirects) {
    }

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final Options options;
    private final AddressPolicy addressPolicy;
    private final HttpClient client;

    public Fetcher(Options options, AddressPolicy addressPolicy, Executor executor) {
        this.options = options;
        this.addressPolicy = addressPolicy;
        // no proxy (a proxy would connect on our behalf and void the address check), no automatic redirects
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .executor(executor)
                .build();
    }

    /**
     * @param url             absolute http(s) URL
     * @param acceptedMime    which 2xx media types have their body downloaded; others end in a policy failure
     * @param maxBodyBytes    body bytes kept at most
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
            Optional<Failure> blocked = checkTarget(uri);
            if (blocked.isPresent()) {
                return blocked.get();
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
                return new Failure("redirect without location", ReasonClass.ERROR,
                        response.httpStatus(), false);
            }
            Optional<String> next = resolve(uri, location);
            if (next.isEmpty()) {
                return new Failure("unsupported redirect target", ReasonClass.POLICY,
                        response.httpStatus(), false);
            }
            if (visited.contains(next.get())) {
                return new Failure("redirect loop", ReasonClass.ERROR, response.httpStatus(),
                        false);
            }
            if (hop + 1 > options.maxRedirects()) {
                return new Failure("too many redirects", ReasonClass.ERROR,
                        response.httpStatus(), false);
            }
            current = next.get();
        }
    }

    private Optional<Failure> checkTarget(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of(Failure.policy("unsupported scheme " + scheme));
        }
        String host = uri.getHost();
        if (host == null) {
            return Optional.of(Failure.policy("invalid url"));
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of(Failure.error("unknown host " + host, false));
        }
        return addressPolicy.firstDenied(addresses)
                .map(a -> Failure.policy("blocked address " + a.getHostAddress()));
    }

    private FetchResult request(URI uri, Predicate<String> acceptedMime, int maxBodyBytes, long deadline)
            throws InterruptedException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return Failure.error("timeout after " + seconds(options.deadline()), true);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .GET()
                .timeout(options.readTimeout())
                .header("User-Agent", options.userAgent())
                .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
                .build();
        CompletableFuture<HttpResponse<Body>> future = client.sendAsync(request, info -> {
            boolean wanted = info.statusCode() / 100 == 2 && acceptedMime.test(mimeOf(info.headers()
                    .firstValue("Content-Type").orElse("")));
            return wanted ? new CappedBodySubscriber(maxBodyBytes)
                    : BodySubscribers.replacing(Body.EMPTY);
        });
        try {
            HttpResponse<Body> response = future.get(remaining, TimeUnit.NANOSECONDS);
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            Body body = response.body();
            return new FetchResult.Response(uri.toString(), response.statusCode(), mimeOf(contentType),
                    charsetOf(contentType), body.bytes(), body.truncated(),
                    response.headers().firstValue("Location").orElse(null));
        } catch (TimeoutException e) {
            future.cancel(true);
            return Failure.error("timeout after " + seconds(options.deadline()), true);
        } catch (ExecutionException e) {
            return classify(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private Failure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return Failure.error("connect timeout after " + seconds(options.connectTimeout()), true);
            }
            if (t instanceof HttpTimeoutException) {
                return Failure.error("timeout after " + seconds(options.readTimeout()), true);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return Failure.error("connection refused", true);
            }
            if (t instanceof UnknownHostException) {
                return Failure.error("unknown host", false);
            }
            if (t instanceof SSLException) {
                return Failure.error("tls error: " + t.getMessage(), false);
            }
        }
        String message = error instanceof IOException && error.getMessage() != null ? error.getMessage()
                : error.getClass().getSimpleName();
        return Failure.error("connection error: " + message, true);
    }

    static Optional<String> resolve(URI base, String location) {
        try {
            return UrlNormalizer.normalize(base.resolve(location.trim()).toString());
        } catch (IllegalArgumentException e) {
            return UrlNormalizer.normalize(location.trim());
        }
    }

    static String mimeOf(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    static String charsetOf(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String value = p.substring(8).trim().replace("\"", "").replace("'", "");
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}

package dev.trawl.api.id;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Normalises http(s) URLs and derives the dedupe key that child and document ids are made from.
 *
 * <p>{@link #normalize} gives the URL a crawler fetches: scheme and host lower-cased (IDN to ASCII), default
 * port and fragment dropped, dot segments resolved, empty path made {@code /}, percent-escapes upper-cased.
 * {@link #dedupeKey} also treats {@code /a/} and {@code /a} as one page (the trailing slash is dropped from
 * every path but the root): sites serve both forms for one resource far more often than two resources.
 */
public final class UrlNormalizer {

    /** Longer URLs are refused: they are almost always traps (session ids, calendars). */
    public static final int MAX_URL_LENGTH = 2048;

    private UrlNormalizer() {
    }

    /** The normalised absolute URL, or empty when {@code url} is not a valid absolute http(s) URL. */
    public static Optional<String> normalize(String url) {
        if (url == null) {
            return Optional.empty();
        }
        String trimmed = url.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_URL_LENGTH) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(escapeIllegal(asciiHost(trimmed)));
            String scheme = uri.getScheme();
            if (scheme == null) {
                return Optional.empty();
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return Optional.empty();
            }
            String host = uri.getHost();
            if (host == null || host.isEmpty()) {
                return Optional.empty();
            }
            host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            int port = uri.getPort();
            if ((port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))) {
                port = -1;
            }
            String path = uri.normalize().getRawPath();
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            while (path.startsWith("/..")) {
                path = path.substring(3);
                if (path.isEmpty()) {
                    path = "/";
                }
            }
            StringBuilder out = new StringBuilder(trimmed.length());
            out.append(scheme).append("://").append(host);
            if (port != -1) {
                out.append(':').append(port);
            }
            out.append(upperCaseEscapes(path));
            String query = uri.getRawQuery();
            if (query != null && !query.isEmpty()) {
                out.append('?').append(upperCaseEscapes(query));
            }
            String normalised = out.toString();
            return normalised.length() > MAX_URL_LENGTH ? Optional.empty() : Optional.of(normalised);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The key that identifies a page within a parent: {@link #normalize} without a non-root trailing slash. */
    public static Optional<String> dedupeKey(String url) {
        return normalize(url).map(UrlNormalizer::stripTrailingSlash);
    }

    /** {@link #dedupeKey} of a URL that {@link #normalize} returned. */
    public static String dedupeKeyOfNormalized(String normalisedUrl) {
        return stripTrailingSlash(normalisedUrl);
    }

    /** Lower-cased host of a normalised URL. */
    public static String host(String normalisedUrl) {
        return URI.create(normalisedUrl).getHost();
    }

    private static String stripTrailingSlash(String normalised) {
        int pathStart = normalised.indexOf('/', normalised.indexOf("://") + 3);
        int queryStart = normalised.indexOf('?');
        int pathEnd = queryStart < 0 ? normalised.length() : queryStart;
        if (pathEnd - pathStart > 1 && normalised.charAt(pathEnd - 1) == '/') {
            return normalised.substring(0, pathEnd - 1) + normalised.substring(pathEnd);
        }
        return normalised;
    }

    /** Converts an internationalised host name to its ASCII (punycode) form, before escaping the rest. */
    private static String asciiHost(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return url;
        }
        start += 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        if (authority.chars().allMatch(c -> c < 0x80)) {
            return url;
        }
        int at = authority.lastIndexOf('@');
        String userInfo = authority.substring(0, at + 1);
        String hostPort = authority.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        String host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
        String port = colon >= 0 ? hostPort.substring(colon) : "";
        return url.substring(0, start) + userInfo + IDN.toASCII(host, IDN.ALLOW_UNASSIGNED) + port
                + url.substring(end);
    }

    /** Escapes characters browsers accept in hrefs but {@link URI} rejects (spaces, pipes, non-ASCII...). */
    private static String escapeIllegal(String url) {
        StringBuilder sb = null;
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            boolean legal = c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^'
                    && c != '`' && c != '{' && c != '|' && c != '}';
            if (legal && !(c == '#' && url.indexOf('#') != i)) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(url.length() + 16).append(url, 0, i);
            }
            for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb == null ? url : sb.toString();
    }

    private static String upperCaseEscapes(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        char[] chars = s.toCharArray();
        for (int i = 0; i + 2 < chars.length; i++) {
            if (chars[i] == '%') {
                chars[i + 1] = Character.toUpperCase(chars[i + 1]);
                chars[i + 2] = Character.toUpperCase(chars[i + 2]);
            }
        }
        return new String(chars);
    }
}

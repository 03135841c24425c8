package dev.trawl.gateway.security;

import dev.trawl.api.serde.Json;
import dev.trawl.gateway.GatewayProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * When {@code trawl.gateway.api-token} is set, requires it as {@code Authorization: Bearer <token>} for every
 * mutating {@code /api/**} request and for every subscription: the {@code /ws} handshake and the SSE and NDJSON
 * streams. Those three also accept {@code ?token=<token>}, because a browser's {@code WebSocket} and
 * {@code EventSource} cannot set headers. Every {@code /mcp} request needs it too, as the header only (MCP clients
 * set headers; a token in a URL ends up in logs). Reads of snapshots, children, documents and the dashboard stay
 * open.
 * A refused request is {@code 401} problem+json with {@code WWW-Authenticate: Bearer}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiTokenFilter extends OncePerRequestFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Pattern STREAMS = Pattern.compile("/api/jobs/[^/]+/(events|stream)");

    private final byte[] token;

    public ApiTokenFilter(GatewayProperties properties) {
        this.token = properties.tokenRequired() ? properties.apiToken().getBytes(StandardCharsets.UTF_8) : null;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return token == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean subscription = path.equals("/ws") || STREAMS.matcher(path).matches();
        boolean mutating = path.startsWith("/api/") && !READS.contains(request.getMethod()) || path.equals("/mcp");
        if (!subscription && !mutating) {
            chain.doFilter(request, response);
            return;
        }
        String given = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (given == null && subscription) {
            given = request.getParameter("token");
        }
        if (given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"trawl\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        String problem = Json.MAPPER.createObjectNode().put("type", "about:blank").put("title", "Unauthorized")
                .put("status", 401)
                .put("detail", given == null ? "an API token is required" : "the API token is not valid")
                .put("instance", path).toString();
        response.getOutputStream().write(problem.getBytes(StandardCharsets.UTF_8));
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }
}

package dev.trawl.gateway.mcp;

import dev.trawl.gateway.GatewayProperties;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.util.WebUtils;

/**
 * Which browser origins may call {@code /mcp}: the gateway's own and those of {@code trawl.gateway.ws.allowed-origins}
 * (the same rule as the {@code /ws} handshake). The MCP transport requires the check so that a page on a rebinding
 * DNS name cannot drive a gateway on the user's machine. A request without {@code Origin} is not from a browser page
 * and is allowed.
 */
@Component
class OriginPolicy {

    private final CorsConfiguration allowed = new CorsConfiguration();

    OriginPolicy(GatewayProperties properties) {
        allowed.setAllowedOriginPatterns(properties.ws().allowedOrigins());
    }

    boolean allows(HttpServletRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return true;
        }
        return WebUtils.isSameOrigin(new ServletServerHttpRequest(request)) || allowed.checkOrigin(origin) != null;
    }
}

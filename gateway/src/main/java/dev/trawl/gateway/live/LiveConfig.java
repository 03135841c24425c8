package dev.trawl.gateway.live;

import dev.trawl.gateway.GatewayProperties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Wires {@code /ws}, the live meters and the scheduler that flushes every live client's outbox (the Tomcat-specific
 * parts live in {@code dev.trawl.gateway.tomcatinternals}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class LiveConfig implements WebSocketConfigurer {

    private final LiveSocketHandler handler;
    private final GatewayProperties properties;

    LiveConfig(LiveSocketHandler handler, GatewayProperties properties) {
        this.handler = handler;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        var registration = registry.addHandler(handler, "/ws");
        if (!properties.ws().allowedOrigins().isEmpty()) {
            registration.setAllowedOriginPatterns(properties.ws().allowedOrigins().toArray(String[]::new));
        }
    }

    @Bean
    static LiveMeters liveMeters() {
        return new LiveMeters();
    }

    /** Flushes live outboxes; sends to a slow client are bounded by the session decorator's time limit. */
    @Bean(destroyMethod = "shutdownNow")
    static ScheduledExecutorService liveScheduler() {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(
                Math.max(2, Runtime.getRuntime().availableProcessors()), runnable -> {
                    Thread thread = new Thread(runnable, "trawl-live-flush-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}

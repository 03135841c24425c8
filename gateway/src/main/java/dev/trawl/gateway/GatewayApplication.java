package dev.trawl.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The edge of Trawl: REST, WebSocket, SSE and NDJSON over read models that are built only from Kafka topics.
 * Every default lives in code as well as in {@code application.yml}, so the gateway behaves the same when it
 * is started in-process next to other modules whose {@code application.yml} shadows its own.
 */
@SpringBootApplication
@EnableConfigurationProperties({TrawlKafkaProperties.class, GatewayProperties.class})
public class GatewayApplication {

    /**
     * Tomcat's WebSocket buffers per connection (frame input, message output, its encoder's chars), 8 KB each by
     * default. Live messages are a few hundred bytes and a larger one only goes out in more pieces, so 2 KB: at
     * 5,000 connections that is about 120 MB of heap less (docs/BENCHMARKS.md). Read once, when Tomcat's WebSocket
     * classes load; a -D on the command line wins.
     */
    static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    public static void main(String[] args) {
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, "2048");
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}

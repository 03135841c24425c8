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

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}

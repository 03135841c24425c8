package dev.trawl.worker;

import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * The crawler worker service: binds {@code trawl.*} into {@link WorkerSettings}, makes sure the topics exist and
 * runs one {@link CrawlWorker} until the context closes. No web server; scale by running more replicas.
 */
@SpringBootApplication
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }

    @Bean
    SmartLifecycle crawlWorkerLifecycle(WorkerProperties properties) {
        return new SmartLifecycle() {
            private CrawlWorker worker;

            @Override
            public void start() {
                TopicAdmin.ensureTopics(properties.kafka().bootstrapServers(), Topics.ALL,
                        properties.kafka().replicationFactor());
                worker = new CrawlWorker(properties.toSettings()).start();
            }

            @Override
            public void stop() {
                // finishes the batch in hand; tasks not started yet stay uncommitted for another instance
                worker.close();
                worker = null;
            }

            @Override
            public boolean isRunning() {
                return worker != null;
            }
        };
    }
}

package dev.trawl.worker;

import dev.trawl.api.topic.TopicAdmin;
import dev.trawl.api.topic.Topics;
import dev.trawl.worker.observability.CrawlWorkerHealthIndicator;
import dev.trawl.worker.observability.WorkerMeters;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * The crawler worker service: binds {@code trawl.*} into {@link WorkerSettings}, makes sure the topics exist and
 * runs one {@link CrawlWorker} until the context closes. Its HTTP port ({@code server.port}) serves Actuator only:
 * health ({@code crawlWorker}) and Prometheus meters. Scale by running more replicas.
 */
@SpringBootApplication
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }

    /** Made (and the topics checked) with the context; its task loop starts with the context's lifecycle. */
    @Bean(destroyMethod = "close") // idempotent: the lifecycle's stop closed it already, unless it never started
    CrawlWorker crawlWorker(WorkerProperties properties) {
        TopicAdmin.ensureTopics(properties.kafka().bootstrapServers(), properties.kafka().properties(), Topics.ALL,
                properties.kafka().replicationFactor());
        return new CrawlWorker(properties.toSettings());
    }

    @Bean
    SmartLifecycle crawlWorkerLifecycle(CrawlWorker worker) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                worker.start();
                running = true;
            }

            @Override
            public void stop() {
                // finishes the batch in hand; tasks not started yet stay uncommitted for another instance
                worker.close();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    @Bean
    CrawlWorkerHealthIndicator crawlWorkerHealthIndicator(CrawlWorker worker) {
        return new CrawlWorkerHealthIndicator(worker);
    }

    @Bean(destroyMethod = "close")
    WorkerMeters workerMeters(CrawlWorker worker) {
        return new WorkerMeters(worker);
    }
}

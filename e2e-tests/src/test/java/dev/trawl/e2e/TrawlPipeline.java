package dev.trawl.e2e;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole Trawl pipeline in this JVM on the shared embedded broker: one aggregator, {@code workers} crawler
 * workers (one consumer group) and a gateway on a random port. Started once per test JVM.
 */
final class TrawlPipeline implements AutoCloseable {

    private static TrawlPipeline shared;

    final String bootstrap;
    final ProgressAggregator aggregator;
    final List<CrawlWorker> workers = new ArrayList<>();
    final ConfigurableApplicationContext gateway;
    final String api;
    final String ws;

    private TrawlPipeline(int workerCount) {
        bootstrap = EmbeddedBroker.shared().bootstrapServers();
        try {
            aggregator = new ProgressAggregator(ProgressAggregator.Settings.defaults(bootstrap,
                    Files.createTempDirectory("e2e-aggregator")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        aggregator.start();
        for (int i = 1; i <= workerCount; i++) {
            workers.add(new CrawlWorker(WorkerSettings.defaults(bootstrap)
                    .withInstanceId("e2e-worker-" + i)
                    .withPolitenessDelay(Duration.ZERO)
                    .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))).start());
        }
        // command-line arguments outrank any application.yml; the config name keeps the other services'
        // application.yml files on this shared classpath out of the gateway's context
        gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--spring.config.name=e2e-gateway", "--server.port=0",
                "--trawl.kafka.bootstrap-servers=" + bootstrap, "--spring.main.banner-mode=off");
        int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
        api = "http://127.0.0.1:" + port;
        ws = "ws://127.0.0.1:" + port + "/ws";
    }

    /** The pipeline of this test JVM with two workers, started on first use and stopped at JVM exit. */
    static synchronized TrawlPipeline shared() {
        if (shared == null) {
            shared = new TrawlPipeline(2);
            EmbeddedBroker.closeBeforeShared(shared);
        }
        return shared;
    }

    @Override
    public void close() {
        gateway.close();
        workers.forEach(CrawlWorker::close);
        aggregator.close();
    }
}

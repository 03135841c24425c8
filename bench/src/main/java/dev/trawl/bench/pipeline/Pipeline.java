package dev.trawl.bench.pipeline;

import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster of {@code ./trawl up} (trawl-local's {@code LocalCluster}): a KRaft broker in this JVM, then the
 * aggregator, the gateway and the workers, each a JVM of its own started from its executable jar by testkit's
 * {@link ServiceProcess} as LocalCluster starts them (-Xmx512m, Serial GC; politeness delay 0, loopback allowed).
 * The only difference: the services are given the broker's own address, not the fixed port LocalCluster
 * forwards to it (only the bootstrap connection goes through that forwarder).
 */
final class Pipeline implements AutoCloseable {

    private final List<ServiceProcess> services = new ArrayList<>();
    private final Path runDir;
    private EmbeddedBroker broker;
    private ServiceProcess aggregator;
    private int gatewayPort;

    private Pipeline(Path runDir) {
        this.runDir = runDir;
    }

    static Pipeline start(Path home, Path runDir, int workers, List<String> aggregatorArgs, List<String> workerArgs,
                          List<String> gatewayArgs)
            throws IOException, InterruptedException {
        Pipeline pipeline = new Pipeline(runDir);
        try {
            pipeline.startAll(home, workers, aggregatorArgs, workerArgs, gatewayArgs);
            return pipeline;
        } catch (RuntimeException | IOException e) {
            pipeline.close();
            throw e;
        }
    }

    private void startAll(Path home, int workers, List<String> aggregatorArgs, List<String> workerArgs,
                          List<String> gatewayArgs) throws IOException {
        Files.createDirectories(runDir.resolve("logs"));
        broker = EmbeddedBroker.start(runDir.resolve("logs").resolve("broker-format.log"));
        String kafka = "--trawl.kafka.bootstrap-servers=" + broker.bootstrapServers();
        List<String> aggregatorLine = new ArrayList<>(List.of(kafka,
                "--trawl.aggregator.state-dir=" + runDir.resolve("aggregator-state")));
        aggregatorLine.addAll(aggregatorArgs);
        aggregator = service(home, "progress-aggregator", "progress-aggregator").args(aggregatorLine).start();
        services.add(aggregator);
        List<String> gatewayLine = new ArrayList<>(List.of(kafka));
        gatewayLine.addAll(gatewayArgs);
        ServiceProcess gateway = service(home, "gateway", "gateway").args(gatewayLine).start();
        gatewayPort = gateway.httpPort();
        services.add(gateway);
        for (int i = 1; i <= workers; i++) {
            List<String> workerLine = new ArrayList<>(List.of(kafka,
                    "--trawl.worker.allowed-private-cidrs=127.0.0.0/8",
                    "--trawl.worker.politeness-delay=0ms",
                    "--trawl.worker.instance-id=local-" + i));
            workerLine.addAll(workerArgs);
            services.add(service(home, "crawler-worker", "crawler-worker-" + i).args(workerLine).start());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (ServiceProcess service : services) {
            service.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    private ServiceProcess.Launch service(Path home, String module, String name) {
        return ServiceProcess.jar(name, ServiceProcess.executableJar(home, module)).directory(home)
                .log(runDir.resolve("logs").resolve(name + ".log"));
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String api() {
        return "http://localhost:" + gatewayPort;
    }

    int gatewayPort() {
        return gatewayPort;
    }

    Path aggregatorLog() {
        return aggregator.log();
    }

    Path logs() {
        return runDir.resolve("logs");
    }

    /** The services' process ids by name, in start order. */
    Map<String, Long> servicePids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        services.forEach(s -> pids.put(s.name(), s.pid()));
        return pids;
    }

    /** Fails when a service has exited. */
    void checkAlive() {
        for (ServiceProcess service : services) {
            if (!service.isAlive()) {
                throw new IllegalStateException(service.name() + " exited; see " + service.log());
            }
        }
    }

    /** Stops the services (in parallel: each may take a while to close cleanly), then the broker. */
    @Override
    public void close() {
        ServiceProcess.stopAll(services, Duration.ofSeconds(20));
        services.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}

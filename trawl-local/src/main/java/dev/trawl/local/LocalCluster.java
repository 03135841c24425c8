package dev.trawl.local;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.serde.Json;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.GeneratedSite;
import dev.trawl.testkit.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code ./trawl up}: a whole Trawl cluster on this machine. A real KRaft broker runs in this JVM; the
 * aggregator, the gateway and the workers run as separate processes (the topology of docker-compose.yml,
 * without Docker); a generated sample site is served on loopback and crawled as a demo.
 */
public final class LocalCluster {

    private final LocalOptions options;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private EmbeddedBroker broker;
    private GeneratedSite site;
    private PortForwarder forwarder;

    LocalCluster(LocalOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        LocalOptions options;
        try {
            options = LocalOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("trawl up: " + e.getMessage());
            System.err.println(LocalOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(LocalOptions.USAGE);
            return;
        }
        LocalCluster cluster = new LocalCluster(options);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "trawl-local-shutdown"));
        int exit = cluster.run();
        if (options.exitWhenDone()) {
            System.exit(exit);
        }
        Thread.currentThread().join(); // until Ctrl-C
    }

    int run() throws Exception {
        Instant start = Instant.now();
        Path home = options.home();
        Path runDir = home.resolve(".trawl");
        Files.createDirectories(runDir.resolve("logs"));
        // the broker is new on every start, so state kept for an earlier broker would only be thrown away
        deleteRecursively(runDir.resolve("aggregator-state"));

        say("starting a Kafka broker (KRaft) on localhost:" + options.kafkaPort());
        broker = EmbeddedBroker.start(runDir.resolve("logs").resolve("broker-format.log"));
        int brokerPort = Integer.parseInt(broker.bootstrapServers().substring(
                broker.bootstrapServers().lastIndexOf(':') + 1));
        forwarder = new PortForwarder(options.kafkaPort(), brokerPort);
        String bootstrap = "localhost:" + options.kafkaPort();
        site = GeneratedSite.start(options.sitePages(), 25);
        say("serving the sample site (" + options.sitePages() + " pages) at " + site.baseUrl());

        String kafka = "--trawl.kafka.bootstrap-servers=" + bootstrap;
        // Actuator (health, Prometheus) of the aggregator and each worker on a free port of its own
        services.add(service("progress-aggregator", "progress-aggregator", runDir).args(kafka,
                "--trawl.aggregator.state-dir=" + runDir.resolve("aggregator-state")).start());
        services.add(service("gateway", "gateway", runDir).args(kafka).httpPort(options.httpPort()).start());
        for (int i = 1; i <= options.workers(); i++) {
            services.add(service("crawler-worker", "crawler-worker-" + i, runDir).args(kafka,
                    // the demo crawls a loopback site: open 127.0.0.0/8 and nothing else
                    "--trawl.worker.allowed-private-cidrs=127.0.0.0/8",
                    "--trawl.worker.politeness-delay=0ms",
                    "--trawl.worker.instance-id=local-" + i).start());
        }
        awaitReady();
        String api = "http://localhost:" + options.httpPort();
        say(String.format("up in %.1f s — dashboard and API: %s  (logs: %s)",
                Duration.between(start, Instant.now()).toMillis() / 1000.0, api + "/", runDir.resolve("logs")));
        say("health and Prometheus metrics at /actuator/health and /actuator/prometheus of: " + String.join(", ",
                services.stream().map(service -> service.name() + " " + service.url()).toList()));

        String jobId = submitDemo(api);
        say("demo crawl submitted: " + api + "/api/jobs/" + jobId);
        ParentProgress last = watch(api, jobId);
        System.out.println();
        say(String.format("demo crawl %s in %.1f s: %s, %d documents",
                last.status().wireName(), Duration.between(start, Instant.now()).toMillis() / 1000.0,
                last.progressText(), last.documentCount()));
        if (!options.exitWhenDone()) {
            say("still running; press Ctrl-C to stop everything. From another shell, for example:");
            say("  ./trawl list    ./trawl submit " + site.seedUrl() + " --max-pages 100 --watch");
        }
        return last.status() == JobStatus.COMPLETED ? 0 : 1;
    }

    /**
     * A service from the executable jar {@code mvn package} built in {@code <home>/<module>/target}, run from the home
     * directory, its output in {@code .trawl/logs/<name>.log}.
     */
    private ServiceProcess.Launch service(String module, String name, Path runDir) {
        return ServiceProcess.jar(name, ServiceProcess.executableJar(options.home(), module))
                .directory(options.home()).log(runDir.resolve("logs").resolve(name + ".log"));
    }

    /** Waits until every service's readiness probe says so (the gateway's: its read model caught up). */
    private void awaitReady() {
        Instant deadline = Instant.now().plus(options.startTimeout());
        for (ServiceProcess service : services) {
            Duration left = Duration.between(Instant.now(), deadline);
            service.awaitReady(left.isNegative() ? Duration.ZERO : left);
        }
    }

    private String submitDemo(String api) throws IOException, InterruptedException {
        String body = Json.MAPPER.writeValueAsString(Map.of(
                "name", "Demo: sample site",
                "seeds", List.of(site.seedUrl()),
                "max_depth", 20,
                "max_pages", 1000));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("demo submission refused: " + response.statusCode() + " "
                    + response.body());
        }
        return Json.MAPPER.readTree(response.body()).get("id").asString();
    }

    /** Prints the live progress text until the job ends. */
    private ParentProgress watch(String api, String jobId) throws IOException, InterruptedException {
        boolean tty = System.console() != null;
        long lastVersion = -1;
        Instant deadline = Instant.now().plus(options.demoTimeout());
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + jobId))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                ParentProgress p = Json.MAPPER.readValue(response.body(), ParentProgress.class);
                if (p.version() != lastVersion) {
                    lastVersion = p.version();
                    // floored, as the dashboard and the CLI show it: 311 of 312 finished is 99 %, not 100 %
                    String line = String.format("[%-9s] %3d%%  %s  (%d documents)", p.status().wireName(),
                            (int) Math.floor(p.progress() * 100), p.progressText(), p.documentCount());
                    System.out.print(tty ? "\r" + line + "   " : line + System.lineSeparator());
                    System.out.flush();
                }
                if (p.status().isTerminal()) {
                    return p;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the demo crawl did not finish within " + options.demoTimeout());
    }

    void stop() {
        ServiceProcess.stopAll(services, Duration.ofSeconds(20));
        services.clear();
        if (site != null) {
            site.close();
            site = null;
        }
        if (forwarder != null) {
            try {
                forwarder.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            forwarder = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void say(String message) {
        System.out.println("trawl: " + message);
    }
}

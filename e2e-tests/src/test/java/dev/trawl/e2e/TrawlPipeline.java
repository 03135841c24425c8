package dev.trawl.e2e;

import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.aggregator.flow.FlowControl;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.JvmProcess;
import dev.trawl.worker.WorkerApplication;
import dev.trawl.worker.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole Trawl pipeline on the shared embedded broker, started once per test JVM: the aggregator and the
 * gateway (random port) in this JVM, and {@value #WORKERS} crawler workers as separate processes, each the
 * service's executable jar with its own {@code application.yml}, as {@code ./trawl up} runs them.
 *
 * <p>Why the workers are processes: the crawl-task topic is fixed, so any crawler worker on this broker takes part
 * in the crawl of every job, and a test of politeness across replicas needs its replicas to be separate JVMs (no
 * shared politeness state). In-JVM workers beside them would consume the same tasks (in the same group: as more
 * replicas; in another group: every task twice), so this JVM has no other workers: the processes are the one
 * worker fleet every e2e test uses. They run in the default group ({@value #WORKER_GROUP}) with politeness 0 (a
 * robots.txt {@code Crawl-delay} still applies) and loopback allowed.
 */
final class TrawlPipeline implements AutoCloseable {

    static final int WORKERS = 2;
    static final String WORKER_GROUP = WorkerSettings.DEFAULT_GROUP_ID;

    /**
     * The aggregator's flow-control limit, fixed here (min = initial = max, not adaptive) so tests can hold the
     * pipeline to it: at most this many children handed to the workers and not finished, all parents together ...
     * (the adaptive limit has its own tests in progress-aggregator).
     */
    static final int MAX_IN_FLIGHT = 96;
    /** ... and at most this many of one parent (its window). */
    static final int MAX_IN_FLIGHT_PER_PARENT = 64;

    private static TrawlPipeline shared;

    final String bootstrap;
    final ProgressAggregator aggregator;
    final ConfigurableApplicationContext gateway;
    final String api;
    final String ws;
    private final Admin admin;
    private final JvmProcess[] workers = new JvmProcess[WORKERS];
    /** Each worker process's HTTP port (Actuator: health, Prometheus). */
    private final int[] workerPorts = new int[WORKERS];
    private final AtomicInteger starts = new AtomicInteger();

    private TrawlPipeline() {
        bootstrap = EmbeddedBroker.shared().bootstrapServers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        // the slowest to start first: two JVMs booting Spring while this one starts the rest
        for (int i = 0; i < WORKERS; i++) {
            workers[i] = startWorker(i);
        }
        try {
            ProgressAggregator.Settings defaults = ProgressAggregator.Settings.defaults(bootstrap,
                    Files.createTempDirectory("e2e-aggregator"));
            aggregator = new ProgressAggregator(new ProgressAggregator.Settings(defaults.bootstrapServers(),
                    defaults.applicationId(), defaults.stateDir(), defaults.commitInterval(),
                    defaults.backlogCommitInterval(), defaults.backlogRecords(), defaults.standbyReplicas(),
                    defaults.replicationFactor(), defaults.streamThreads(), defaults.topology().withFlow(
                            FlowControl.Settings.defaults().withFixedLimit(MAX_IN_FLIGHT, MAX_IN_FLIGHT_PER_PARENT)),
                    defaults.overrides()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        aggregator.start();
        // command-line arguments outrank any application.yml; the config name keeps the other services'
        // application.yml files on this shared classpath out of the gateway's context
        gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--spring.config.name=e2e-gateway", "--server.port=0",
                "--trawl.kafka.bootstrap-servers=" + bootstrap, "--spring.main.banner-mode=off");
        int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
        api = "http://127.0.0.1:" + port;
        ws = "ws://127.0.0.1:" + port + "/ws";
        awaitWorkersAssigned();
    }

    /** The pipeline of this test JVM, started on first use and stopped when the test run ends. */
    static synchronized TrawlPipeline shared() {
        if (shared == null) {
            shared = new TrawlPipeline();
            EmbeddedBroker.closeBeforeShared(shared);
        }
        return shared;
    }

    static String instanceId(int worker) {
        return "e2e-worker-" + (worker + 1);
    }

    /** The partitions of {@code trawl.crawl-tasks} each worker process holds now, by instance id. */
    Map<String, Set<Integer>> taskPartitionsByWorker() {
        Map<String, Set<Integer>> byWorker = new TreeMap<>();
        ConsumerGroupDescription group = describeWorkerGroup();
        for (MemberDescription member : group.members()) {
            Set<Integer> partitions = new TreeSet<>();
            for (TopicPartition p : member.assignment().topicPartitions()) {
                if (p.topic().equals(Topics.CRAWL_TASKS.name())) {
                    partitions.add(p.partition());
                }
            }
            byWorker.put(member.clientId().replaceFirst("^trawl-worker-", ""), partitions);
        }
        return byWorker;
    }

    /**
     * Waits until the worker group is stable with every running worker process holding task partitions, and
     * returns the assignment.
     */
    Map<String, Set<Integer>> awaitWorkersAssigned() {
        for (int i = 0; i < WORKERS; i++) {
            if (workers[i] != null && !workers[i].isAlive()) {
                throw new IllegalStateException(instanceId(i) + " is not running; see " + workers[i].log());
            }
        }
        long running = java.util.Arrays.stream(workers).filter(w -> w != null && w.isAlive()).count();
        @SuppressWarnings("unchecked")
        Map<String, Set<Integer>>[] assignment = new Map[1];
        // until the first worker joins, Kafka 4 answers a describe with GroupIdNotFoundException
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsMatching(e -> e.getCause() instanceof ExecutionException failed
                        && failed.getCause() instanceof GroupIdNotFoundException).until(() -> {
            if (describeWorkerGroup().groupState() != GroupState.STABLE) {
                return false;
            }
            assignment[0] = taskPartitionsByWorker();
            return assignment[0].size() == running && assignment[0].values().stream().noneMatch(Set::isEmpty);
        });
        return assignment[0];
    }

    /** SIGTERM to one worker process (it leaves the group at once, so its partitions move now); waits until gone. */
    void stopWorker(String instanceId) {
        int i = indexOf(instanceId);
        workers[i].stop(Duration.ofSeconds(60));
    }

    /** Starts a stopped worker process again, and waits until the group has every worker assigned. */
    void restartWorker(String instanceId) {
        int i = indexOf(instanceId);
        if (!workers[i].isAlive()) {
            workers[i] = startWorker(i);
        }
        awaitWorkersAssigned();
    }

    private int indexOf(String instanceId) {
        for (int i = 0; i < WORKERS; i++) {
            if (instanceId(i).equals(instanceId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no worker " + instanceId);
    }

    /** {@code http://127.0.0.1:<port>} of a worker process's Actuator endpoints. */
    String workerActuator(int worker) {
        return "http://127.0.0.1:" + workerPorts[worker];
    }

    private JvmProcess startWorker(int i) {
        Path log = Path.of("target", "e2e-logs", instanceId(i) + "-" + starts.incrementAndGet() + ".log");
        try {
            Files.createDirectories(log.getParent());
            try (ServerSocket free = new ServerSocket(0)) {
                workerPorts[i] = free.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return JvmProcess.startJar(workerJar(), log, List.of("-XX:+UseSerialGC"),
                "--trawl.kafka.bootstrap-servers=" + bootstrap,
                "--trawl.worker.group-id=" + WORKER_GROUP,
                "--trawl.worker.instance-id=" + instanceId(i),
                "--trawl.worker.politeness-delay=0ms",
                "--trawl.worker.allowed-private-cidrs=127.0.0.0/8",
                "--server.port=" + workerPorts[i],
                "--spring.main.banner-mode=off");
    }

    /** The worker's executable jar beside the plain one this test compiles against (local repo or reactor). */
    private static Path workerJar() {
        return executableJar(WorkerApplication.class);
    }

    /** The executable jar of the service whose main class is {@code application}, beside its plain jar. */
    static Path executableJar(Class<?> application) {
        try {
            Path plain = Path.of(application.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(plain)) { // <module>/target/classes in a reactor build
                try (var jars = Files.list(plain.getParent())) {
                    return jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                            .orElseThrow(() -> new IllegalStateException("no executable jar of "
                                    + application.getSimpleName() + " in " + plain.getParent()
                                    + ": run 'mvn -DskipTests package' first"));
                }
            }
            return plain.resolveSibling(plain.getFileName().toString().replaceFirst("\\.jar$", "-exec.jar"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ConsumerGroupDescription describeWorkerGroup() {
        try {
            return admin.describeConsumerGroups(List.of(WORKER_GROUP)).describedGroups().get(WORKER_GROUP)
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the worker group", e);
        }
    }

    @Override
    public void close() {
        gateway.close();
        // in parallel: each takes a moment to finish its batch and leave the group
        List<Thread> stopping = new java.util.ArrayList<>();
        for (JvmProcess worker : workers) {
            Thread t = new Thread(() -> worker.stop(Duration.ofSeconds(30)), "e2e-stop-worker");
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        aggregator.close();
        admin.close(Duration.ofSeconds(5));
    }
}

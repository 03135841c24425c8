package dev.trawl.e2e;

import static org.awaitility.Awaitility.await;

import dev.trawl.aggregator.AggregatorApplication;
import dev.trawl.api.topic.Topics;
import dev.trawl.gateway.GatewayApplication;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.ServiceProcess;
import dev.trawl.worker.WorkerApplication;
import dev.trawl.worker.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * The whole Trawl pipeline on the shared embedded broker, started once per test JVM as {@code ./trawl up} runs it:
 * the aggregator, the gateway and {@value #WORKERS} crawler workers, each a process of its own from the service's
 * executable jar with its own {@code application.yml} (testkit's {@link ServiceProcess}), ready by its readiness probe.
 *
 * <p>The crawl-task topic is fixed, so any crawler worker on this broker takes part in the crawl of every job: the
 * processes are the one worker fleet every test in this JVM uses (in the same group an extra worker would be one more
 * replica; in another group it would crawl every task a second time). They run in the default group
 * ({@value #WORKER_GROUP}) with politeness 0 (a robots.txt {@code Crawl-delay} still applies) and loopback allowed.
 * Tests that need workers configured otherwise run in a JVM (and on a broker) of their own: see
 * {@code dev.trawl.e2e.ownworkers}.
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

    static final Path LOGS = Path.of("target", "e2e-logs");
    /** The workers' JVM options: a smaller heap than a deployment's, as the whole pipeline shares this machine. */
    static final List<String> WORKER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private static TrawlPipeline shared;

    final String bootstrap;
    final String api;
    final String ws;
    private final ServiceProcess aggregator;
    private final ServiceProcess gateway;
    private final Admin admin;
    private final ServiceProcess[] workers = new ServiceProcess[WORKERS];
    private final AtomicInteger starts = new AtomicInteger();

    private TrawlPipeline() {
        bootstrap = EmbeddedBroker.shared().bootstrapServers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        for (int i = 0; i < WORKERS; i++) {
            workers[i] = startWorker(i);
        }
        try {
            aggregator = ServiceProcess.jar("aggregator", ServiceProcess.executableJar(AggregatorApplication.class))
                    .log(LOGS.resolve("aggregator.log"))
                    .args("--trawl.kafka.bootstrap-servers=" + bootstrap,
                            "--trawl.aggregator.state-dir=" + Files.createTempDirectory("e2e-aggregator"),
                            "--trawl.aggregator.flow.initial-limit=" + MAX_IN_FLIGHT,
                            "--trawl.aggregator.flow.min-limit=" + MAX_IN_FLIGHT,
                            "--trawl.aggregator.flow.max-limit=" + MAX_IN_FLIGHT,
                            "--trawl.aggregator.flow.max-per-parent=" + MAX_IN_FLIGHT_PER_PARENT,
                            "--spring.main.banner-mode=off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gateway = ServiceProcess.jar("gateway", ServiceProcess.executableJar(GatewayApplication.class))
                .log(LOGS.resolve("gateway.log"))
                .args("--trawl.kafka.bootstrap-servers=" + bootstrap, "--spring.main.banner-mode=off")
                .start();
        api = gateway.url();
        ws = "ws://127.0.0.1:" + gateway.httpPort() + "/ws";
        aggregator.awaitReady(START_TIMEOUT);
        gateway.awaitReady(START_TIMEOUT);
        for (ServiceProcess worker : workers) {
            worker.awaitReady(START_TIMEOUT);
        }
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
        workers[indexOf(instanceId)].stop(Duration.ofSeconds(60));
    }

    /**
     * SIGKILL to one worker process: no shutdown hook, no abort of its open transaction, no leave-group; its
     * partitions move on after its session timeout. Waits until the process is gone.
     */
    void killWorker(String instanceId) {
        workers[indexOf(instanceId)].kill();
    }

    boolean workerAlive(String instanceId) {
        return workers[indexOf(instanceId)].isAlive();
    }

    /**
     * Starts a stopped (or killed) worker process again, and waits until it is ready and the group has every worker
     * assigned.
     */
    void restartWorker(String instanceId) {
        int i = indexOf(instanceId);
        if (!workers[i].isAlive()) {
            workers[i] = startWorker(i);
            workers[i].awaitReady(START_TIMEOUT);
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
        return workers[worker].url();
    }

    private ServiceProcess startWorker(int i) {
        return ServiceProcess.jar(instanceId(i), ServiceProcess.executableJar(WorkerApplication.class))
                .jvmArgs(WORKER_JVM).log(LOGS.resolve(instanceId(i) + "-" + starts.incrementAndGet() + ".log"))
                .args("--trawl.kafka.bootstrap-servers=" + bootstrap,
                        "--trawl.worker.group-id=" + WORKER_GROUP,
                        "--trawl.worker.instance-id=" + instanceId(i),
                        "--trawl.worker.politeness-delay=0ms",
                        "--trawl.worker.allowed-private-cidrs=127.0.0.0/8",
                        "--spring.main.banner-mode=off")
                .start();
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
        List<ServiceProcess> services = new ArrayList<>(List.of(workers));
        services.add(gateway);
        // the workers and the gateway in parallel (each takes a moment to leave its group), then the aggregator
        ServiceProcess.stopAll(services, Duration.ofSeconds(30));
        aggregator.stop(Duration.ofSeconds(30));
        admin.close(Duration.ofSeconds(5));
    }
}

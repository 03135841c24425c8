package dev.trawl.testkit;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One Trawl service in a JVM of its own, as a deployment runs it: the one way the tests ({@code e2e-tests}, and a
 * service's own tests that kill an instance), {@code ./trawl up} and the benchmarks start a service. It runs from its
 * executable jar ({@link #jar}: its own classpath and {@code application.yml}) or, where no jar is built yet or a
 * benchmark wants this JVM's classpath, from a main class ({@link #mainClass}); with its arguments, environment
 * variables and JVM options, its output in a log file, and an HTTP port of its own (passed as
 * {@code --server.port}) where {@link #awaitReady} asks Actuator's {@code /actuator/health/readiness}.
 *
 * <p>It runs under {@link ParentGuard}, so it ends when the JVM that started it does, however that ended.
 * {@link #stop} is SIGTERM (Spring closes cleanly: a Kafka client leaves its group at once), {@link #kill} is SIGKILL
 * (no shutdown hook, no flush, no leave-group), so a test can kill a service for real while the rest runs on.
 *
 * <p>Over 300 lines: it replaced four harnesses, and its launch options ({@link Launch}), readiness wait and
 * stop/kill are one life cycle of one process; half of it is Javadoc.
 */
public final class ServiceProcess implements AutoCloseable {

    /** JVM options unless {@link Launch#jvmArgs} says otherwise: those of {@code ./trawl up}. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx512m", "-XX:+UseSerialGC");

    private static final Duration MIN_WAIT = Duration.ofSeconds(1);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private final int httpPort;

    private ServiceProcess(String name, Process process, Path log, int httpPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** A service from its Spring Boot executable jar ({@code *-exec.jar}), as a deployment runs it. */
    public static Launch jar(String name, Path executableJar) {
        if (!Files.isRegularFile(executableJar)) {
            throw new IllegalStateException("missing " + executableJar + ": build it with 'mvn -DskipTests package'");
        }
        // Boot's launcher finds its archive from its own class's location: the executable jar
        return new Launch(name, guardLocation() + File.pathSeparator + executableJar,
                "org.springframework.boot.loader.launch.JarLauncher");
    }

    /** A service (or a test's stand-in for one) from {@code mainClass} on this JVM's classpath. */
    public static Launch mainClass(String name, Class<?> mainClass) {
        return new Launch(name, System.getProperty("java.class.path"), mainClass.getName());
    }

    /** The executable jar {@code mvn package} builds for {@code module} in {@code <home>/<module>/target}. */
    public static Path executableJar(Path home, String module) {
        Path target = home.resolve(module).resolve("target");
        return findExecutableJar(target).orElse(target.resolve(module + "-<version>-exec.jar"));
    }

    /**
     * The executable jar of the service whose main class is {@code application}, beside the plain jar (or the
     * {@code target/classes} of a reactor build) that this JVM loaded the class from.
     */
    public static Path executableJar(Class<?> application) {
        Path plain = codeSource(application);
        if (Files.isDirectory(plain)) { // <module>/target/classes in a reactor build
            return findExecutableJar(plain.getParent()).orElseThrow(() -> new IllegalStateException(
                    "no executable jar of " + application.getSimpleName() + " in " + plain.getParent()
                            + ": run 'mvn -DskipTests package' first"));
        }
        return plain.resolveSibling(plain.getFileName().toString().replaceFirst("\\.jar$", "-exec.jar"));
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** The JVM's process id (the benchmarks read its CPU time from {@code /proc}). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The service's HTTP port (Actuator; the gateway's API too); -1 when it was started without one. */
    public int httpPort() {
        return httpPort;
    }

    /** {@code http://127.0.0.1:<port>}: where its Actuator endpoints (and the gateway's API) are. */
    public String url() {
        if (httpPort < 0) {
            throw new IllegalStateException(name + " was started without an HTTP port");
        }
        return "http://127.0.0.1:" + httpPort;
    }

    /**
     * Waits until {@code /actuator/health/readiness} answers 200; fails at once when the process exits, and after
     * {@code atMost}. Returns this.
     */
    public ServiceProcess awaitReady(Duration atMost) {
        String readiness = url() + "/actuator/health/readiness";
        try {
            // a deadline shared by several services may be spent: then one more look, not an invalid wait
            await(name + " ready").atMost(atMost.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : atMost).pollInterval(Duration.ofMillis(200))
                    .failFast(name + " exited before it was ready; see " + log, () -> !process.isAlive())
                    .until(() -> status(readiness) == 200);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " was not ready within " + atMost + "; see " + log, e);
        }
        return this;
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits for the process to end; kills it if it has not ended after {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** {@link #stop} with 30 s of grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /** Stops {@code services} in parallel (each may take a while to close cleanly) and waits for all. */
    public static void stopAll(Collection<ServiceProcess> services, Duration grace) {
        List<Thread> stopping = new ArrayList<>();
        for (ServiceProcess service : services) {
            Thread t = new Thread(() -> service.stop(grace), "stop-" + service.name());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListeningYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static java.util.Optional<Path> findExecutableJar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return java.util.Optional.empty();
        }
        try (var jars = Files.list(dir)) {
            return jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String guardLocation() {
        return codeSource(ParentGuard.class).toString();
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What to start, and how; {@link #start()} starts it. */
    public static final class Launch {

        private final String name;
        private final String classpath;
        private final String mainClass;
        private List<String> jvmArgs = DEFAULT_JVM_ARGS;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path log;
        private Path directory;
        private int httpPort = 0; // 0: a free one; -1: none

        private Launch(String name, String classpath, String mainClass) {
            this.name = name;
            this.classpath = classpath;
            this.mainClass = mainClass;
        }

        /** The JVM's options, instead of {@link #DEFAULT_JVM_ARGS}. */
        public Launch jvmArgs(List<String> jvmArgs) {
            this.jvmArgs = List.copyOf(jvmArgs);
            return this;
        }

        /** Arguments to the main class ({@code --key=value} for a Spring Boot service), after any given before. */
        public Launch args(List<String> more) {
            for (String arg : more) {
                if (arg.startsWith("--server.port=")) {
                    throw new IllegalArgumentException("give the port with httpPort(), not " + arg);
                }
            }
            args.addAll(more);
            return this;
        }

        public Launch args(String... more) {
            return args(List.of(more));
        }

        /** An environment variable of the process (on top of this JVM's environment). */
        public Launch env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Launch env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** Where its output (stdout and stderr) goes; a temporary file unless given. */
        public Launch log(Path log) {
            this.log = log;
            return this;
        }

        /** Its working directory; this JVM's unless given. */
        public Launch directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Its HTTP port ({@code --server.port}); a free one unless given. */
        public Launch httpPort(int port) {
            if (port <= 0) {
                throw new IllegalArgumentException("port " + port);
            }
            this.httpPort = port;
            return this;
        }

        /** For a main class without an HTTP server: no {@code --server.port}, no readiness. */
        public Launch withoutHttp() {
            this.httpPort = -1;
            return this;
        }

        public ServiceProcess start() {
            try {
                int port = httpPort == 0 ? freePort() : httpPort;
                Path output = log != null ? log : Files.createTempFile(name, ".log");
                if (output.getParent() != null) {
                    Files.createDirectories(output.getParent());
                }
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmArgs);
                command.add("-cp");
                command.add(classpath);
                command.add(ParentGuard.class.getName());
                command.add(mainClass);
                command.addAll(args);
                if (port > 0) {
                    command.add("--server.port=" + port);
                }
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                builder.environment().putAll(env);
                if (directory != null) {
                    builder.directory(directory.toFile());
                }
                return new ServiceProcess(name, builder.start(), output, port);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
        }

        /** A port free now (the service binds it a moment later; nothing else here should race for it). */
        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }
}

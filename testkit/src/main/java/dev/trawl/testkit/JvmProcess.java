package dev.trawl.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A class's {@code main} run in a separate JVM with this JVM's classpath, so a test can kill it for real
 * ({@link #kill()} is SIGKILL: no shutdown hook, no flush, no leave-group) while the rest of the pipeline runs on.
 */
public final class JvmProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private JvmProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with {@code args}; its output goes to {@code log}. */
    public static JvmProcess start(Class<?> mainClass, Path log, List<String> jvmArgs, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            File logFile = log.toFile();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile).start();
            return new JvmProcess(process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + mainClass.getName(), e);
        }
    }

    /**
     * Starts a Spring Boot executable jar ({@code -exec.jar}) as a deployment runs it, with its own classpath and
     * {@code application.yml}, under {@link ParentGuard} so it ends when this JVM does; output goes to {@code log}.
     */
    public static JvmProcess startJar(Path executableJar, Path log, List<String> jvmArgs, String... args) {
        return startJar(executableJar, log, jvmArgs, Map.of(), args);
    }

    /** As {@link #startJar(Path, Path, List, String...)}, with {@code env} added to this JVM's environment. */
    public static JvmProcess startJar(Path executableJar, Path log, List<String> jvmArgs,
                                      Map<String, String> env, String... args) {
        if (!executableJar.toFile().isFile()) {
            throw new IllegalStateException("missing " + executableJar + ": build it with 'mvn -DskipTests install'");
        }
        String guard;
        try {
            guard = Path.of(ParentGuard.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(guard + File.pathSeparator + executableJar);
        command.add(ParentGuard.class.getName());
        // Boot's launcher finds its archive from its own class's location: the executable jar
        command.add("org.springframework.boot.loader.launch.JarLauncher");
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            return new JvmProcess(process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executableJar, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
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

    /**
     * SIGTERM (the process shuts down cleanly: a Kafka client leaves its group at once), then waits for it; kills
     * it if it has not ended after {@code grace}.
     */
    public void stop(java.time.Duration grace) {
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

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}

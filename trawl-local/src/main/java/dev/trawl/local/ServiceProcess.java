package dev.trawl.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Trawl service started as its own JVM from its executable jar, its output in {@code .trawl/logs}. Public so
 * that the whole-pipeline benchmark ({@code bench}, {@code PipelineBenchmark}) starts the services exactly as
 * {@code ./trawl up} does.
 */
public final class ServiceProcess {

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ServiceProcess start(String module, Path home, Path runDir, List<String> args) {
        return start(module, module, home, runDir, args);
    }

    /**
     * Starts {@code module}'s executable jar with {@code args}. Without a {@code --server.port=} among them, the
     * service's HTTP port (the worker's and the aggregator's serve only Actuator) is a free one, so any number of
     * services share this machine.
     */
    public static ServiceProcess start(String module, String name, Path home, Path runDir, List<String> args) {
        Path jar = home.resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build with 'mvn -DskipTests package'");
        }
        Path log = runDir.resolve("logs").resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        if (args.stream().noneMatch(arg -> arg.startsWith("--server.port="))) {
            command.add("--server.port=0");
        }
        try {
            Process process = new ProcessBuilder(command).directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ServiceProcess(name, process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** The JVM's process id (the benchmark reads its CPU time from {@code /proc}). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the service to stop (SIGTERM: Spring closes cleanly), then kills it after 20 s. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

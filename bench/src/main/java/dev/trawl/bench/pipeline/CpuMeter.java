package dev.trawl.bench.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU time of the pipeline's processes from {@code /proc/<pid>/stat} (utime + stime, in clock ticks of
 * {@code getconf CLK_TCK}), and of the whole machine from {@code /proc/stat}, so that what other processes (and
 * the kernel's unattributed work) took during a crawl shows beside it. Linux only.
 */
final class CpuMeter {

    /** CPU seconds by process group, plus the machine's busy and elapsed CPU seconds. */
    record Sample(Map<String, Double> seconds, double machineBusy, double machineTotal,
                  Map<Long, Long> clientThreadNanos, double benchClients) {

        /** What happened between {@code start} and this sample. */
        Sample minus(Sample start) {
            Map<String, Double> delta = new LinkedHashMap<>();
            seconds.forEach((name, s) -> delta.put(name, s - start.seconds.getOrDefault(name, 0.0)));
            long clients = 0;
            for (Map.Entry<Long, Long> t : clientThreadNanos.entrySet()) {
                clients += t.getValue() - start.clientThreadNanos.getOrDefault(t.getKey(), 0L);
            }
            return new Sample(delta, machineBusy - start.machineBusy, machineTotal - start.machineTotal, Map.of(),
                    clients / 1e9);
        }

        double sum() {
            return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    static final double TICKS = clockTicks();

    private final Supplier<Map<String, List<Long>>> groups;

    /** @param groups the process ids of each group, asked at every sample (nginx's workers may change) */
    CpuMeter(Supplier<Map<String, List<Long>>> groups) {
        this.groups = groups;
    }

    Sample sample() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        groups.get().forEach((name, pids) -> seconds.put(name, pids.stream().mapToLong(CpuMeter::ticks).sum()
                / TICKS));
        long[] machine = machineTicks();
        Map<Long, Long> clients = clientThreads();
        return new Sample(seconds, machine[0] / TICKS, machine[1] / TICKS, clients,
                clients.values().stream().mapToLong(Long::longValue).sum() / 1e9);
    }

    /** utime + stime of a process in ticks, 0 when it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** {busy, total} ticks of all CPUs from the first line of /proc/stat. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    /** The 1-, 5- and 15-minute load averages, as uptime prints them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** The 1-minute load average, or 0 when it cannot be read. */
    static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU nanoseconds by thread of this JVM's threads that are the benchmark's own clients (watcher, poller:
     * {@code pipeline-bench-*} threads, and the HTTP client's selector), not the broker.
     */
    private static Map<Long, Long> clientThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> nanos = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("HttpClient")
                    || info.getThreadName().startsWith("pipeline-bench"))) {
                nanos.put(info.getThreadId(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
            }
        }
        return nanos;
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}

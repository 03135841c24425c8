package dev.trawl.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide CPU time spent per crawl phase (like JVM metrics, shared by every worker instance of the JVM), for
 * the benchmark and for operators: fetch (HTTP, robots.txt, decoding), parse (jsoup, links, metadata), convert
 * (flexmark Markdown, hash) and produce (serialising and sending records, transactions).
 */
public final class CrawlMetrics {

    /** A phase whose thread CPU time is summed. */
    public enum Phase { FETCH, PARSE, CONVERT, PRODUCE }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final LongAdder[] CPU_NANOS = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

    private CrawlMetrics() {
    }

    /** CPU time of the calling thread so far, for {@link #add}. */
    public static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Adds the calling thread's CPU time since {@code startCpuNanos} to {@code phase}. */
    public static void add(Phase phase, long startCpuNanos) {
        CPU_NANOS[phase.ordinal()].add(THREADS.getCurrentThreadCpuTime() - startCpuNanos);
    }

    public static long cpuNanos(Phase phase) {
        return CPU_NANOS[phase.ordinal()].sum();
    }

    public static void reset() {
        for (LongAdder adder : CPU_NANOS) {
            adder.reset();
        }
    }
}

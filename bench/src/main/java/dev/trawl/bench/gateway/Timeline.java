package dev.trawl.bench.gateway;

import dev.trawl.bench.aggregator.AggregatorBenchmark;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Where a latency tail comes from ({@code -Dbench.timeline=true}): the run in slices of 250 ms. Per slice of event
 * time, the worst latency seen by the clients and by the {@code read_committed} observer; per slice of wall time,
 * what this JVM (broker, aggregator, clients) did: Kafka counters read over JMX, CPU by thread group, GC time, and
 * the gateway JVM's CPU. {@link #print} shows the slices around every one whose worst client latency passed a bound.
 */
final class Timeline {

    static final long SLICE_MILLIS = 250;
    private static final int SLICES = 4 * 60 * 4; // 4 minutes

    /** Counters summed over every MBean that matches, and the short name printed for them. */
    private static final List<String[]> COUNTERS = List.of(
            new String[] {"kafka.producer:type=producer-metrics,client-id=*", "txn-commit-time-ns-total", "commitNs"},
            new String[] {"kafka.producer:type=producer-metrics,client-id=*", "flush-time-ns-total", "flushNs"},
            new String[] {"kafka.producer:type=producer-metrics,client-id=*", "txn-send-offsets-time-ns-total",
                    "offsetsNs"},
            new String[] {"kafka.producer:type=producer-metrics,client-id=*", "record-retry-total", "retries"},
            new String[] {"kafka.producer:type=producer-metrics,client-id=*", "request-total", "prodReqs"},
            new String[] {"kafka.streams:type=stream-thread-metrics,thread-id=*", "commit-total", "commits"},
            new String[] {"kafka.streams:type=stream-thread-metrics,thread-id=*", "process-total", "processed"},
            new String[] {"kafka.network:type=RequestMetrics,name=RequestsPerSec,request=EndTxn,*", "Count", "endTxn"},
            new String[] {"kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Fetch,*", "Count", "fetches"},
            new String[] {"kafka.network:type=RequestMetrics,name=RequestsPerSec,request=WriteTxnMarkers,*", "Count",
                    "markers"});

    /** Broker request times: per slice the mean of each phase, from the histograms' counts and means. */
    private static final List<String> REQUESTS = List.of("Produce", "EndTxn", "TxnOffsetCommit", "Fetch");
    private static final List<String> PHASES = List.of("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs",
            "RemoteTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs");

    private final long origin;
    private final AtomicLongArray client = new AtomicLongArray(SLICES);
    private final AtomicLongArray readable = new AtomicLongArray(SLICES);
    private final List<Map<String, Double>> samples = new ArrayList<>();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final long gatewayPid;
    private volatile boolean stopped;
    private final Thread sampler;

    Timeline(long origin, long gatewayPid) {
        this.origin = origin;
        this.gatewayPid = gatewayPid;
        this.sampler = new Thread(this::sample, "timeline-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    void client(long sentAt, long latency) {
        max(client, sentAt, latency);
    }

    void readable(long sentAt, long latency) {
        max(readable, sentAt, latency);
    }

    private void max(AtomicLongArray slices, long sentAt, long latency) {
        int slice = (int) ((sentAt - origin) / SLICE_MILLIS);
        if (slice < 0 || slice >= SLICES) {
            return;
        }
        long seen;
        do {
            seen = slices.get(slice);
        } while (latency > seen && !slices.compareAndSet(slice, seen, latency));
    }

    private void sample() {
        long next = origin;
        while (!stopped && samples.size() < SLICES) {
            long wait = next - System.currentTimeMillis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Map<String, Double> sample = new HashMap<>();
            for (String[] counter : COUNTERS) {
                sample.merge(counter[2], sum(counter[0], counter[1]), Double::sum);
            }
            for (String request : REQUESTS) {
                for (String phase : PHASES) {
                    String pattern = "kafka.network:type=RequestMetrics,name=" + phase + ",request=" + request;
                    double count = sum(pattern, "Count");
                    sample.put("n " + request + " " + phase, count);
                    sample.put("sum " + request + " " + phase, count * sum(pattern, "Mean"));
                }
            }
            Map<String, Long> threads = new HashMap<>();
            AggregatorBenchmark.cpuByThreadGroup(threads);
            threads.forEach((group, nanos) -> sample.put("cpu " + group, nanos.doubleValue()));
            long gc = 0;
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, bean.getCollectionTime());
            }
            sample.put("gcMs", (double) gc);
            sample.put("gatewayCpuNs", (double) ProcessHandle.of(gatewayPid)
                    .flatMap(p -> p.info().totalCpuDuration()).map(java.time.Duration::toNanos).orElse(0L));
            synchronized (samples) {
                samples.add(sample);
            }
            next += SLICE_MILLIS;
        }
    }

    private double sum(String pattern, String attribute) {
        double total = 0;
        try {
            for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
                Object value = server.getAttribute(name, attribute);
                if (value instanceof Number number && !Double.isNaN(number.doubleValue())) {
                    total += number.doubleValue();
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return total;
    }

    /** Prints the slices around each one whose worst client latency is above {@code boundMillis}. */
    void print(long boundMillis) {
        stopped = true;
        List<Map<String, Double>> taken;
        synchronized (samples) {
            taken = new ArrayList<>(samples);
        }
        System.out.printf("timeline (slices of %d ms; latencies by the slice the event was sent in, the rest by wall"
                + " time; CPU in ms per slice):%n", SLICE_MILLIS);
        int shown = -1;
        for (int i = 0; i < SLICES; i++) {
            if (client.get(i) <= boundMillis) {
                continue;
            }
            for (int s = Math.max(shown + 1, i - 2); s <= i + 2 && s + 1 < taken.size(); s++) {
                System.out.println("  " + describe(s, taken.get(s), taken.get(s + 1)));
                shown = s;
            }
            System.out.println("  --");
        }
    }

    private String describe(int slice, Map<String, Double> from, Map<String, Double> to) {
        StringBuilder line = new StringBuilder(String.format("t=%6.2fs client %4d ms readable %4d ms |",
                slice * SLICE_MILLIS / 1e3, client.get(slice), readable.get(slice)));
        Map<String, Double> cpu = new TreeMap<>();
        for (String request : REQUESTS) {
            line.append(" ").append(request).append(" ms");
            for (String phase : PHASES) {
                double n = to.get("n " + request + " " + phase) - from.get("n " + request + " " + phase);
                double sum = to.get("sum " + request + " " + phase) - from.get("sum " + request + " " + phase);
                line.append(String.format(" %.1f", n == 0 ? 0 : sum / n));
            }
            line.append(";");
        }
        for (String key : to.keySet()) {
            if (key.startsWith("n ") || key.startsWith("sum ")) {
                continue;
            }
            double delta = to.get(key) - from.getOrDefault(key, 0.0);
            if (key.startsWith("cpu ")) {
                if (delta > 15e6) {
                    cpu.put(key.substring(4), delta / 1e6);
                }
            } else if (key.endsWith("Ns")) {
                line.append(String.format(" %s %.0fms", key.substring(0, key.length() - 2), delta / 1e6));
            } else {
                line.append(String.format(" %s %.0f", key, delta));
            }
        }
        line.append(" | cpu");
        cpu.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(6)
                .forEach(e -> line.append(String.format(" %s %.0f;", e.getKey(), e.getValue())));
        return line.toString();
    }
}

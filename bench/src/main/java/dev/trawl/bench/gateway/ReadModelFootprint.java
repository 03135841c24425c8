package dev.trawl.bench.gateway;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.readmodel.ReadModel;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Heap the gateway's read model needs per child, held in heap (a running job) and after a finished job's children
 * were evicted to the packed index ({@code trawl.gateway.read-model.finished-children-in-heap}). It drives the read
 * model's public write side directly, without Kafka: the figure is the data structure's, not a consumer's.
 *
 * <p>{@code bench/run dev.trawl.bench.gateway.ReadModelFootprint [jobs=100] [children=1000]}
 */
public final class ReadModelFootprint {

    private ReadModelFootprint() {
    }

    public static void main(String[] args) {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int children = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        GatewayProperties properties = new Binder(new MapConfigurationPropertySource(
                Map.of("trawl.gateway.read-model.finished-children-in-heap", "0s")))
                .bindOrCreate("trawl.gateway", GatewayProperties.class);
        ReadModel readModel = new ReadModel(properties);
        long empty = heapAfterGc();

        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        String[] ids = new String[jobs];
        long offset = 0;
        for (int j = 0; j < jobs; j++) {
            ids[j] = Ids.newParentId();
            readModel.applyParent(ids[j], snapshot(ids[j], children, JobStatus.RUNNING, at, 1));
            for (int c = 0; c < children; c++) {
                String url = "https://docs.example.org/guides/section-" + j + "/chapter-" + c + "/index.html";
                String childId = Ids.childId(ids[j], url);
                readModel.applyChild(childId, new ChildProgress(childId, ids[j], url, 2, ChildStatus.COMPLETED, 1,
                        null, null, 200, childId, at), c % 6, offset++);
            }
        }
        long held = heapAfterGc();

        for (int j = 0; j < jobs; j++) {
            readModel.applyParent(ids[j], snapshot(ids[j], children, JobStatus.COMPLETED, at, 2));
        }
        readModel.evictFinishedChildren(at.plusSeconds(3600));
        long evicted = heapAfterGc();
        if (!readModel.childrenEvicted(ids[0]) || !readModel.heldChildren(ids[0]).isEmpty()) {
            throw new IllegalStateException("children were not evicted; the figure would be wrong");
        }

        long total = (long) jobs * children;
        System.out.printf("%d jobs × %d children (URLs of ~%d characters)%n", jobs, children,
                "https://docs.example.org/guides/section-0/chapter-0/index.html".length() + 2);
        System.out.printf("held in heap (running jobs): %,d B in all, %.0f B a child (job log included)%n",
                held - empty, (held - empty) / (double) total);
        System.out.printf("evicted (finished jobs): %,d B in all, %.1f B a child (job log and snapshots included)%n",
                evicted - empty, (evicted - empty) / (double) total);
    }

    private static ParentProgress snapshot(String id, long total, JobStatus status, Instant at, long version) {
        long done = status.isTerminal() ? total : 0;
        return new ParentProgress(id, "footprint " + id, status, total - done, 0, done, 0, 0, total, done, done * 1000,
                done / (double) total, null, ProgressText.format(total - done, 0, done, 0), at, at, at,
                status.isTerminal() ? at : null, null, version);
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

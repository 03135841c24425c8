package dev.trawl.worker.pipeline;

import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;

/** A crawler worker alone in its JVM, for tests that kill it: {@code WorkerMain <bootstrap> <group> <instance>}. */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CrawlWorker worker = new CrawlWorker(WorkerSettings.defaults(args[0])
                .withGroupId(args[1])
                .withInstanceId(args[2])
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8"))
                .withPolitenessDelay(Duration.ZERO)).start();
        System.out.println("worker " + args[2] + " started");
        while (worker.isRunning()) {
            Thread.sleep(1_000); // keeps main alive; the test ends this JVM with SIGKILL
        }
    }
}

package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.testkit.RecordingSite;
import dev.trawl.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * A cancel bites at once (issue 13): a crawl of a 3,000-page site is cancelled over REST when a watcher's snapshot
 * shows about a fifth of it done. The site records when every request started, so the test counts what was
 * fetched after the cancel was accepted.
 *
 * <p>The bound on what may still start: a page request that starts after the {@code 202} belongs to a child the
 * aggregator had handed to a worker and not seen finish when it applied the cancel: the cancel is in the job's log
 * before the outcome of any request that starts after the {@code 202}, and nothing is dispatched after it. Those
 * children are at most the window ({@link TrawlPipeline#MAX_IN_FLIGHT_PER_PARENT}), which is what the test asserts.
 * The in-flight count of the last snapshot seen before the cancel, {@code pending - queued + running}, is about the
 * same figure while the window is full; it is printed, not asserted: a window that was not quite full then (its
 * refill waits for the next dispatch round) may have filled before the cancel landed.
 *
 * <p>Children counted {@code cancelled} must not have a document: the documents topic holds exactly the terminal
 * snapshot's {@code document_count} documents of the job (invariant 1), also for tasks a worker picked up in the
 * moment between the cancel and the worker hearing of it.
 */
@Timeout(300)
class CancelBitesAtOnceTest {

    private static final int PAGES = 3_000;

    private final TrawlPipeline pipeline = TrawlPipeline.shared();
    private final GatewayRest rest = new GatewayRest(pipeline);

    @Test
    void afterTheCancelIsAcceptedOnlyChildrenAlreadyInFlightStartAndTheTerminalSnapshotCountsExactly() {
        pipeline.awaitWorkersAssigned();
        try (RecordingSite site = RecordingSite.start("127.0.0.13", PAGES, 3, 4, 0, Duration.ofMillis(5));
             ProgressLog progress = ProgressLog.start(pipeline.bootstrap);
             WsClient watcher = new WsClient(URI.create(pipeline.ws))) {
            watcher.send("{\"op\":\"subscribe\",\"job_id\":\"*\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.received().isEmpty());

            String jobId = rest.submitCrawl("cancel-me", site.seedUrl(), 50, 10_000);
            // as a user at a dashboard would: cancel when the live view shows about 20 % of the site done
            JsonNode trigger = watcher.await(m -> WsClient.type("parent_job_progress", jobId).test(m)
                    && m.path("completed").asLong() >= PAGES / 5);
            assertThat(trigger.path("status").asString()).as("still running when cancelled").isEqualTo("running");

            HttpResponse<String> cancel = rest.cancel(jobId);
            long acceptedNanos = System.nanoTime();
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

            ProgressLog.Seen done = progress.awaitTerminal(jobId, Duration.ofSeconds(60));
            List<ProgressLog.Seen> snapshots = progress.of(jobId);
            ProgressLog.Seen lastBefore = snapshots.stream().filter(s -> s.receivedNanos() - acceptedNanos < 0)
                    .reduce((a, b) -> b).orElseThrow();
            ProgressLog.Seen firstShowingCancel = snapshots.stream().filter(s -> s.stopping() || s.terminal())
                    .findFirst().orElseThrow();
            List<RecordingSite.Request> after = site.pageRequestsAfter(acceptedNanos);

            System.out.printf("cancel: trigger %s completed %d of %d (progress %.2f)%n  last before the 202: %s, "
                            + "in flight %d%n  first showing the cancel, %d ms after the 202: %s, in flight %d%n"
                            + "  terminal %d ms after the 202: %s%n  page requests started after the 202: %d; "
                            + "site concurrency peak %d%n",
                    trigger.path("status").asString(), trigger.path("completed").asLong(), PAGES,
                    trigger.path("progress").asDouble(), lastBefore.counts(), lastBefore.inFlight(),
                    millis(firstShowingCancel.receivedNanos() - acceptedNanos), firstShowingCancel.counts(),
                    firstShowingCancel.inFlight(), millis(done.receivedNanos() - acceptedNanos), done.counts(),
                    after.size(), site.maxConcurrentPageRequests());

            // the terminal snapshot: cancelled, nothing left pending or running, every child counted once
            assertThat(done.status()).as(done.counts()).isEqualTo("cancelled");
            assertThat(done.get("pending")).as(done.counts()).isZero();
            assertThat(done.get("running")).as(done.counts()).isZero();
            assertThat(done.get("queued")).as(done.counts()).isZero();
            assertThat(done.get("pending") + done.get("running") + done.get("completed") + done.get("failed")
                    + done.get("cancelled")).as(done.counts()).isEqualTo(done.get("total"));
            assertThat(done.get("document_count")).as(done.counts()).isEqualTo(done.get("completed"));
            assertThat(done.get("completed")).as("the crawl was cut short: " + done.counts()).isLessThan(PAGES);
            assertThat(done.get("cancelled")).as(done.counts()).isPositive();

            assertThat(ProgressLog.ruleBreaches(snapshots, TrawlPipeline.MAX_IN_FLIGHT_PER_PARENT))
                    .as("snapshots of the job that break the rules").isEmpty();

            // the cancel bit at once: a snapshot said so (stopping, or already terminal), and only children already
            // in flight when it landed were fetched after the 202
            assertThat(firstShowingCancel.get("version")).isLessThanOrEqualTo(done.get("version"));
            assertThat(after).as("page requests started after the 202, against the window of %d",
                    TrawlPipeline.MAX_IN_FLIGHT_PER_PARENT).hasSizeLessThanOrEqualTo(
                    TrawlPipeline.MAX_IN_FLIGHT_PER_PARENT);

            // exact documents: one per completed child, none for a cancelled one
            List<DocumentSaved> documents = rest.documents(jobId);
            assertThat(documents.stream().map(DocumentSaved::documentId).distinct().count())
                    .as("each document once").isEqualTo(documents.size());
            assertThat((long) documents.size()).as("documents of the job in the topic; terminal %s%s",
                    done.counts(), documentsOfUncompletedChildren(jobId, documents, site, acceptedNanos))
                    .isEqualTo(done.get("document_count"));

            // nothing of the job starts once its terminal snapshot is out (robots.txt included)
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .failFast("a request started after the terminal snapshot was received", () -> site.requests()
                            .stream().anyMatch(r -> r.startNanos() - done.receivedNanos() > 0))
                    .until(() -> true);

            // the watcher ends on the same terminal snapshot
            watcher.await(m -> WsClient.type("parent_job_progress", jobId).test(m)
                    && m.path("version").asLong() >= done.get("version") && "cancelled".equals(
                    m.path("status").asString()));
        }
    }

    /** The documents saved for children whose final state is not completed, with when their request started. */
    private String documentsOfUncompletedChildren(String jobId, List<DocumentSaved> documents, RecordingSite site,
                                                  long acceptedNanos) {
        Map<String, ChildProgress> children = rest.children(jobId);
        Map<String, Long> startedAt = new HashMap<>();
        for (RecordingSite.Request r : site.requests()) {
            startedAt.putIfAbsent(r.path(), r.startNanos());
        }
        List<String> odd = new ArrayList<>();
        int beforeAccepted = 0;
        for (DocumentSaved d : documents) {
            ChildProgress child = children.get(d.childId());
            if (child == null || child.status() != ChildStatus.COMPLETED) {
                Long start = startedAt.get(URI.create(d.url()).getPath());
                if (start != null && start - acceptedNanos < 0) {
                    beforeAccepted++;
                }
                odd.add(URI.create(d.url()).getPath() + " " + (child == null ? "unknown child"
                        : child.status().name().toLowerCase(java.util.Locale.ROOT) + " (" + child.reason() + ")")
                        + ", request started " + (start == null ? "?" : millis(start - acceptedNanos)
                        + " ms after the 202"));
            }
        }
        return odd.isEmpty() ? "" : String.format("%n%d documents of children not completed (%d of their requests "
                + "started before the 202):%n  %s", odd.size(), beforeAccepted, String.join("\n  ", odd));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}

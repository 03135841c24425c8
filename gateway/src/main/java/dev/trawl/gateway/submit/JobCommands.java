package dev.trawl.gateway.submit;

import dev.trawl.api.event.CancelRequested;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.gateway.GatewayProperties;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ReadModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * Submit and cancel. A submission is acknowledged once {@link JobSubmitted} is durable in the parent's log; the
 * answer is the aggregator's first snapshot when it reaches the read model within the configured wait, otherwise a
 * synthesized pending one (version 0), so a caller never waits on the aggregator for long.
 *
 * <p>Jobs this gateway accepted but whose first snapshot it has not yet seen are remembered (bounded), so a cancel
 * or a stream request right after a submit is not refused as "unknown"; the read model's first snapshot, or the
 * job's removal, ends that.
 */
@Service
public class JobCommands {

    private static final int RECENT_SUBMISSIONS = 10_000;

    private final JobEventPublisher publisher;
    private final ReadModel readModel;
    private final Duration snapshotWait;
    private final Clock clock;
    private final Map<String, JobSnapshot> recentSubmissions = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, JobSnapshot> eldest) {
                    return size() > RECENT_SUBMISSIONS;
                }
            });

    public JobCommands(JobEventPublisher publisher, ReadModel readModel, GatewayProperties properties) {
        this.publisher = publisher;
        this.readModel = readModel;
        this.snapshotWait = properties.submit().snapshotWait();
        this.clock = Clock.systemUTC();
        readModel.addListener(new ReadModel.ParentListener() {
            @Override
            public void onParentProgress(ParentProgress snapshot) {
                recentSubmissions.remove(snapshot.id());
            }

            @Override
            public void onParentRemoved(String parentId) {
                recentSubmissions.remove(parentId);
            }
        });
    }

    /** Records the job; completes with its first snapshot (real or synthesized). */
    public CompletableFuture<JobSnapshot> submit(CrawlSpec spec) {
        Instant now = clock.instant();
        String parentId = Ids.newParentId();
        JobSnapshot pending = JobSnapshot.submitted(parentId, spec.name(), now);
        recentSubmissions.put(parentId, pending);
        // listen before publishing: the aggregator may answer before the ack reaches us
        CompletableFuture<ParentProgress> firstSeen = readModel.firstSnapshot(parentId);
        return publisher.publish(new JobSubmitted(Ids.newEventId(), parentId, now, spec))
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        recentSubmissions.remove(parentId);
                        firstSeen.cancel(false);
                    }
                })
                .thenCompose(ack -> firstSeen.thenApply(JobSnapshot::of)
                        .completeOnTimeout(pending, snapshotWait.toMillis(), TimeUnit.MILLISECONDS)
                        // drops the read model's waiter when the aggregator did not answer in time
                        .whenComplete((snapshot, error) -> firstSeen.cancel(false)));
    }

    /** Records a cancel request for a known job. */
    public CompletableFuture<String> cancel(String parentId, String reason) {
        String eventId = Ids.newEventId();
        return publisher.publish(new CancelRequested(eventId, parentId, clock.instant(), reason))
                .thenApply(ack -> eventId);
    }

    /** The job as the read model holds it, else as submitted here if this gateway accepted it recently. */
    public Optional<JobSnapshot> snapshot(String parentId) {
        return readModel.parent(parentId).map(JobSnapshot::of)
                .or(() -> Optional.ofNullable(recentSubmissions.get(parentId)));
    }
}

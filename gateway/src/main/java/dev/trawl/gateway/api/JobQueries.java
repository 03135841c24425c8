package dev.trawl.gateway.api;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.gateway.readmodel.ChildStore;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.gateway.submit.JobCommands;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Reads of parent snapshots and their children shared by REST, MCP and the live surfaces. */
@Service
public class JobQueries {

    /** Newest first: by creation time, then by id (parent ids sort by creation time too). */
    static final Comparator<JobSnapshot> NEWEST_FIRST = Comparator
            .comparing(JobSnapshot::createdAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(JobSnapshot::id)
            .reversed();

    private final ReadModel readModel;
    private final JobCommands commands;
    private final ChildStore childStore;

    public JobQueries(ReadModel readModel, JobCommands commands, ChildStore childStore) {
        this.readModel = readModel;
        this.commands = commands;
        this.childStore = childStore;
    }

    /** True when the job has a snapshot (or was just accepted here), or any child or document of it is held. */
    public boolean known(String jobId) {
        return find(jobId).isPresent() || readModel.knows(jobId);
    }

    /** The job's children, optionally of one status, by depth then URL. */
    public List<ChildView> children(String jobId, ChildStatus status) {
        return childStore.children(jobId).stream()
                .filter(child -> status == null || child.status() == status)
                .map(child -> ChildView.of(child.childId(), child))
                .sorted(Comparator.comparingInt(ChildView::depth)
                        .thenComparing(ChildView::url, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
    }

    /** The job's latest snapshot; a job this gateway just accepted shows as pending until its first snapshot. */
    public Optional<JobSnapshot> find(String jobId) {
        return commands.snapshot(jobId);
    }

    /** Every job the read model holds, optionally of one status, newest first. */
    public List<JobSnapshot> list(JobStatus status) {
        return readModel.parents().stream()
                .map(JobSnapshot::of)
                .filter(job -> status == null || job.status() == status)
                .sorted(NEWEST_FIRST)
                .toList();
    }
}

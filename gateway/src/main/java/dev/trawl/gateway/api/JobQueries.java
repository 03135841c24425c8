package dev.trawl.gateway.api;

import dev.trawl.api.event.JobStatus;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.gateway.submit.JobCommands;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Reads of parent snapshots shared by REST and the live surfaces. */
@Service
public class JobQueries {

    /** Newest first: by creation time, then by id (parent ids sort by creation time too). */
    static final Comparator<JobSnapshot> NEWEST_FIRST = Comparator
            .comparing(JobSnapshot::createdAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(JobSnapshot::id)
            .reversed();

    private final ReadModel readModel;
    private final JobCommands commands;

    public JobQueries(ReadModel readModel, JobCommands commands) {
        this.readModel = readModel;
        this.commands = commands;
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

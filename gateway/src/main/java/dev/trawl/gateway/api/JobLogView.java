package dev.trawl.gateway.api;

import dev.trawl.gateway.readmodel.ChildTransition;
import java.util.List;

/** {@code GET /api/jobs/{id}/log}: the job's recent child transitions, oldest first. */
public record JobLogView(String jobId, List<ChildTransition> items) {
}

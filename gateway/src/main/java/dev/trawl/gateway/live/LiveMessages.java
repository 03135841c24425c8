package dev.trawl.gateway.live;

import dev.trawl.api.serde.Json;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.ChildTransition;
import java.util.Collection;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON messages of the live surfaces. A WebSocket message is {@code {"type": ..., "job_id": ...}} with the
 * snapshot's fields flattened in; SSE and NDJSON carry the bare snapshot.
 */
final class LiveMessages {

    static final String SNAPSHOT = "snapshot";
    static final String PROGRESS = "parent_job_progress";
    static final String REMOVED = "removed";
    static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";
    static final String PONG = "{\"type\":\"pong\"}";

    private LiveMessages() {
    }

    static String snapshotJson(JobSnapshot snapshot) {
        return Json.MAPPER.writeValueAsString(snapshot);
    }

    /** {@code {"type":"snapshot"|"parent_job_progress","job_id":..,"found":true, <snapshot fields>}}. */
    static String jobMessage(String type, JobSnapshot snapshot) {
        ObjectNode message = header(type, snapshot.id());
        if (type.equals(SNAPSHOT)) {
            message.put("found", true);
        }
        message.setAll((ObjectNode) Json.MAPPER.valueToTree(snapshot));
        return message.toString();
    }

    /** Answer to a subscription whose job is unknown yet, or whose client already holds the newest version. */
    static String snapshotWithout(String jobId, boolean found) {
        ObjectNode message = header(SNAPSHOT, jobId).put("found", found);
        if (found) {
            message.put("up_to_date", true);
        }
        return message.toString();
    }

    /** Answer to a {@code "*"} subscription: every job known, newest first. */
    static String allJobs(Collection<JobSnapshot> jobs) {
        ObjectNode message = header(SNAPSHOT, LiveSocketHandler.ALL_JOBS);
        ArrayNode list = message.putArray("jobs");
        jobs.forEach(job -> list.add((ObjectNode) Json.MAPPER.valueToTree(job)));
        return message.toString();
    }

    /** {@code {"type":"job_log","job_id":..,"items":[transitions, oldest first]}}: answer to a detail subscription. */
    static String jobLog(String jobId, List<ChildTransition> recent) {
        ObjectNode message = header("job_log", jobId);
        ArrayNode items = message.putArray("items");
        recent.forEach(t -> items.add((ObjectNode) Json.MAPPER.valueToTree(t)));
        return message.toString();
    }

    /** {@code {"type":"child_progress","job_id":.., <transition fields>}}. */
    static String childProgress(ChildTransition transition) {
        ObjectNode message = header("child_progress", transition.jobId());
        message.setAll((ObjectNode) Json.MAPPER.valueToTree(transition));
        return message.toString();
    }

    /** Told to a slow detail subscriber whose queue of transitions overflowed: re-read the log to fill the gap. */
    static String childProgressDropped(long dropped) {
        return Json.MAPPER.createObjectNode().put("type", "child_progress_dropped").put("dropped", dropped).toString();
    }

    /** {@code {"type":"removed","job_id":..}}: the job was deleted (a tombstone). */
    static String removed(String jobId) {
        return header(REMOVED, jobId).toString();
    }

    static String unsubscribed(String jobId) {
        return header("unsubscribed", jobId).toString();
    }

    static String error(String message) {
        return Json.MAPPER.createObjectNode().put("type", "error").put("message", message).toString();
    }

    private static ObjectNode header(String type, String jobId) {
        return Json.MAPPER.createObjectNode().put("type", type).put("job_id", jobId);
    }
}

package dev.trawl.gateway.live;

import dev.trawl.gateway.api.JobSnapshot;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;

/** How a stream frames what it sends: Server-Sent Events or NDJSON. */
enum StreamFormat {

    /**
     * {@code event: snapshot} first, then {@code event: parent_job_progress}, each with {@code id:} = version;
     * {@code event: removed} (no id) when the job is deleted.
     */
    SSE(MediaType.TEXT_EVENT_STREAM) {
        @Override
        byte[] snapshot(JobSnapshot snapshot, boolean first) {
            String event = first ? LiveMessages.SNAPSHOT : LiveMessages.PROGRESS;
            return utf8("id:" + snapshot.version() + "\nevent:" + event
                    + "\ndata:" + LiveMessages.snapshotJson(snapshot) + "\n\n");
        }

        @Override
        byte[] removed(String jobId) {
            return utf8("event:" + LiveMessages.REMOVED + "\ndata:" + LiveMessages.removed(jobId) + "\n\n");
        }

        @Override
        byte[] upToDate() {
            return utf8(":up to date\n\n");
        }

        @Override
        byte[] heartbeat() {
            return utf8(":heartbeat\n\n");
        }
    },

    /** One snapshot per line; a last line {@code {"type":"removed","job_id":..}} when the job is deleted. */
    NDJSON(MediaType.APPLICATION_NDJSON) {
        @Override
        byte[] snapshot(JobSnapshot snapshot, boolean first) {
            return utf8(LiveMessages.snapshotJson(snapshot) + "\n");
        }

        @Override
        byte[] removed(String jobId) {
            return utf8(LiveMessages.removed(jobId) + "\n");
        }

        @Override
        byte[] upToDate() {
            return new byte[0];
        }

        @Override
        byte[] heartbeat() {
            return null; // every line is a snapshot: readers such as `jq .progress_text` would trip on another kind
        }
    };

    private final MediaType mediaType;

    StreamFormat(MediaType mediaType) {
        this.mediaType = mediaType;
    }

    String contentType() {
        return mediaType + ";charset=UTF-8";
    }

    abstract byte[] snapshot(JobSnapshot snapshot, boolean first);

    /** The last thing a stream of a deleted job sends. */
    abstract byte[] removed(String jobId);

    /** Sent when the stream opens with nothing newer than what the client holds (a resumed SSE client). */
    abstract byte[] upToDate();

    /** Sent on a quiet stream every heartbeat interval (an SSE comment, invisible to EventSource); null: none. */
    abstract byte[] heartbeat();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.trawl.worker.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * A response body as the fetcher reads it: decoded (gzip, deflate) and capped in decoded bytes, so a compression
 * bomb stops at the cap; a small unwanted body drained so the connection is reused; a body we stop reading cut off
 * with its connection.
 *
 * @param truncated there was more than the cap
 */
record ResponseBody(byte[] bytes, boolean truncated) {

    static final ResponseBody EMPTY = new ResponseBody(new byte[0], false);
    /** Error and redirect bodies up to this size are read and dropped so the connection can be reused. */
    private static final int DRAIN_LIMIT = 16 * 1024;

    /** The decoding stream over {@code raw} for a trimmed, lower-case encoding; null for one we do not read. */
    static InputStream decoding(String contentEncoding, InputStream raw) throws IOException {
        return switch (contentEncoding) { // trimmed, lower case
            case "identity", "" -> raw;
            case "gzip", "x-gzip" -> new GZIPInputStream(raw, 8192);
            case "deflate" -> new InflaterInputStream(raw, new Inflater(), 8192);
            default -> null;
        };
    }

    /** Reads at most {@code maxBytes}, giving up (InterruptedIOException) once {@code deadline} (nanoTime) passed. */
    static ResponseBody readCapped(InputStream in, int maxBytes, long deadline) throws IOException {
        byte[] buffer = new byte[Math.min(maxBytes + 1, 32 * 1024)];
        int size = 0;
        while (true) {
            if (size == buffer.length) {
                if (size > maxBytes) {
                    return new ResponseBody(Arrays.copyOf(buffer, maxBytes), true);
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min((long) maxBytes + 1, buffer.length * 2L));
            }
            int n = in.read(buffer, size, buffer.length - size);
            if (n < 0) {
                return new ResponseBody(size == buffer.length ? buffer : Arrays.copyOf(buffer, size), false);
            }
            size += n;
            if (size > maxBytes) {
                return new ResponseBody(Arrays.copyOf(buffer, maxBytes), true);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new InterruptedIOException("deadline");
            }
        }
    }

    /**
     * Reads and drops a small unwanted body so the connection can be reused.
     *
     * @return false when the body is large or of unknown length: the caller cuts the connection instead
     */
    static boolean drained(HttpEntity entity) throws IOException {
        long length = entity.getContentLength();
        if (length < 0 || length > DRAIN_LIMIT) {
            return false;
        }
        InputStream in = entity.getContent();
        byte[] sink = new byte[(int) Math.max(1, length)];
        while (in.read(sink) >= 0) {
            // a fixed-length body ends after length bytes
        }
        return true;
    }

    /**
     * Closes the connection under a body we stop reading; closing the response normally would drain it.
     *
     * @param cancel aborts the request when the body's stream cannot be aborted itself
     */
    static void cutOff(ClassicHttpResponse response, InputStream raw, Runnable cancel) {
        try {
            InputStream content = raw;
            if (content == null && response != null && response.getEntity() != null) {
                content = response.getEntity().getContent();
            }
            if (content instanceof EofSensorInputStream sensor) {
                sensor.abort();
                return;
            }
        } catch (IOException | RuntimeException alreadyGone) {
            // nothing left to cut
        }
        cancel.run();
    }
}

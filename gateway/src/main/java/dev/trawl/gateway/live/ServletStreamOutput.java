package dev.trawl.gateway.live;

import dev.trawl.gateway.tomcatinternals.ConnectionAbortValve;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * A stream's HTTP response written with Servlet non-blocking I/O: a write hands its bytes to the container and
 * returns at once; what the socket cannot take yet stays with the container, which calls back when the client has
 * read it. No thread ever waits for the client.
 *
 * <p>The response ends once, whoever ends it first: normally ({@link #complete}), by dropping the connection
 * ({@link #abort}, through {@link ConnectionAbortValve}), or by the container (client gone, stream timeout). Tomcat
 * recycles the response after {@code onComplete}, so the connection must never be dropped after that; Tomcat
 * completes on its own only after {@code onError} or {@code onTimeout}, which therefore wait for an abort in
 * progress. {@code onComplete} must not wait: Tomcat calls it holding the lock an abort needs.
 */
final class ServletStreamOutput implements StreamClient.Output, WriteListener, AsyncListener {

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final Runnable closeNow;
    private final Object lifecycle = new Object();
    private boolean ended; // guarded by lifecycle
    private StreamClient client;
    // written and checked by the one thread writing at a time
    private boolean unflushed;

    private ServletStreamOutput(AsyncContext async, ServletOutputStream out, Runnable closeNow) {
        this.async = async;
        this.out = out;
        this.closeNow = closeNow;
    }

    /** Puts the request in asynchronous mode with {@code timeout}, the response headers set but not yet sent. */
    static ServletStreamOutput open(HttpServletRequest request, HttpServletResponse response, StreamFormat format,
                                    Duration timeout) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(format.contentType());
        response.setHeader("Cache-Control", "no-cache");
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeout.toMillis());
        Runnable closeNow = ConnectionAbortValve.closeNowOf(request);
        return new ServletStreamOutput(async, response.getOutputStream(), closeNow);
    }

    /** Connects {@code client}: the container calls it back as soon as the response can be written. */
    void start(StreamClient client) {
        this.client = client;
        async.addListener(this);
        out.setWriteListener(this);
    }

    @Override
    public boolean write(byte[] bytes) throws IOException {
        out.write(bytes);
        unflushed = true;
        return drained();
    }

    /** Flushes what was written once the container can take it; false: the container calls back when it has. */
    @Override
    public boolean drained() throws IOException {
        if (!out.isReady()) {
            return false;
        }
        if (unflushed) {
            unflushed = false;
            out.flush();
            return out.isReady();
        }
        return true;
    }

    @Override
    public void complete() {
        if (end()) {
            completeAsync();
        }
    }

    /** Drops the connection; where the valve is off (or not Tomcat), ends the response instead. */
    @Override
    public void abort() {
        synchronized (lifecycle) {
            if (ended) {
                return;
            }
            ended = true;
            if (closeNow != null) {
                closeNow.run();
                return;
            }
        }
        completeAsync();
    }

    @Override
    public void onWritePossible() {
        client.writable();
    }

    @Override
    public void onError(Throwable error) {
        end();
        client.close();
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
        client.close();
        completeAsync();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end();
        client.close();
        completeAsync();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        client.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    /** Marks the response ended, after any abort in progress; true the first time. */
    private boolean end() {
        synchronized (lifecycle) {
            boolean first = !ended;
            ended = true;
            return first;
        }
    }

    private void completeAsync() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // already completed
        }
    }
}

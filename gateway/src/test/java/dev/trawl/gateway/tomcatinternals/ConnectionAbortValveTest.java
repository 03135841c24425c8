package dev.trawl.gateway.tomcatinternals;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link ConnectionAbortValve} relies on, on a bare Tomcat: a context valve sees Catalina's request, and the
 * Coyote response takes {@code CLOSE_NOW} from another thread while the request is asynchronous, dropping the
 * connection without ending the response. Fails when a Tomcat upgrade changes that; the standard route (no valve)
 * is checked beside it, so the test tells the two apart.
 */
@Timeout(60)
class ConnectionAbortValveTest {

    private static final String CHUNKED_END = "0\r\n\r\n";

    @TempDir
    Path baseDir;

    private Tomcat tomcat;

    @AfterEach
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void closeNowDropsAnAsynchronousResponsesConnectionFromAnotherThread() throws Exception {
        CompletableFuture<Runnable> closeNow = start(true);
        try (Socket client = request()) {
            String head = readUntil(client.getInputStream(), "first\n");

            assertThat(closeNow.get(10, TimeUnit.SECONDS)).as("the valve's request attribute").isNotNull();
            CompletableFuture.runAsync(closeNow.join()).get(10, TimeUnit.SECONDS);

            String rest = readToEnd(client.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(rest).as("dropped, not ended").doesNotContain(CHUNKED_END);
        }
    }

    @Test
    void withoutTheValveThereIsNoCloseNowAndTheResponseEndsTheStandardWay() throws Exception {
        CompletableFuture<Runnable> closeNow = start(false);
        try (Socket client = request()) {
            readUntil(client.getInputStream(), "first\n");

            assertThat(closeNow.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(readUntil(client.getInputStream(), CHUNKED_END)).endsWith(CHUNKED_END);
        }
    }

    /** A Tomcat whose one servlet writes a line asynchronously and hands over the request's close-now. */
    private CompletableFuture<Runnable> start(boolean withValve) throws Exception {
        CompletableFuture<Runnable> closeNow = new CompletableFuture<>();
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);
        Context context = tomcat.addContext("", null);
        if (withValve) {
            context.getPipeline().addValve(new ConnectionAbortValve());
        }
        Wrapper servlet = Tomcat.addServlet(context, "stream", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                response.setContentType("text/plain");
                response.getOutputStream().write("first\n".getBytes(StandardCharsets.US_ASCII));
                response.flushBuffer();
                Runnable close = ConnectionAbortValve.closeNowOf(request);
                if (close == null) {
                    async.complete();
                }
                closeNow.complete(close);
            }
        });
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/stream", "stream");
        tomcat.getConnector();
        tomcat.start();
        return closeNow;
    }

    private Socket request() throws IOException {
        Socket socket = new Socket("localhost", tomcat.getConnector().getLocalPort());
        socket.setSoTimeout(20_000); // a connection left open fails the test with a SocketTimeoutException
        socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.US_ASCII).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before " + end.strip() + ": " + read);
            }
            read.write(b);
        }
        return read.toString(StandardCharsets.US_ASCII);
    }

    /** What the server sends until it closes the connection (end of stream or reset). */
    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // dropped
        }
        return read.toString(StandardCharsets.US_ASCII);
    }
}

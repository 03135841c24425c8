package dev.trawl.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP stream client on a bare socket with a tiny receive buffer that reads the response head and then nothing,
 * like a client whose reader stalled: the server's writes back up as soon as the kernel buffers are full.
 */
final class StalledHttpStream implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final String head;

    StalledHttpStream(int port, String path, String accept) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nAccept: " + accept
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (!received.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head: " + received);
            }
            received.write(b);
        }
        head = received.toString(StandardCharsets.US_ASCII);
    }

    /** The status line and headers. */
    String head() {
        return head;
    }

    /**
     * Reads whatever the kernel still holds for this client and reports whether the server has closed the
     * connection (end of stream or reset), as opposed to keeping it open past the read timeout.
     */
    boolean closedByServer() throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // draining what was sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

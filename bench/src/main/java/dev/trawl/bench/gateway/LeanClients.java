package dev.trawl.bench.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Many WebSocket clients on one selector thread: the benchmark's load generator, as cheap as a client can be, so
 * that on a 2-core machine it takes as little as possible of the CPU the gateway, the broker and the aggregator
 * need (5,000 java.net.http clients took 0.4 of a core at 19,000 messages a second). Each connection does the
 * RFC 6455 handshake, sends one text frame, then only reads: text frames go to the listener as bytes, pings are
 * answered, a close frame closes the connection.
 */
final class LeanClients implements AutoCloseable {

    /** A text message: {@code buffer[offset, offset + length)}, valid only during the call. */
    interface Listener {
        void onText(byte[] buffer, int offset, int length);
    }

    private static final int TEXT = 1;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;

    private final int port;
    private final Listener listener;
    private final Selector selector;
    private final Queue<SocketChannel> joining = new ConcurrentLinkedQueue<>();
    private final List<SocketChannel> channels = new ArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;

    LeanClients(int port, Listener listener) throws IOException {
        this.port = port;
        this.listener = listener;
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "lean-websocket-clients");
        loop.setDaemon(true);
        loop.start();
    }

    /** Opens one connection and sends {@code firstMessage}; its messages then go to the listener. */
    void connect(String firstMessage) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        write(channel, ByteBuffer.wrap(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        StringBuilder head = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.append((char) one.get(0));
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
        write(channel, frame(TEXT, firstMessage.getBytes(StandardCharsets.UTF_8)));
        channel.configureBlocking(false);
        synchronized (channels) {
            channels.add(channel);
        }
        joining.add(channel);
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                for (SocketChannel channel; (channel = joining.poll()) != null; ) {
                    channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(64 * 1024));
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid() && key.isReadable()) {
                        read(key);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void read(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        ByteBuffer buffer = (ByteBuffer) key.attachment();
        try {
            if (channel.read(buffer) < 0) {
                key.cancel();
                channel.close();
                return;
            }
            buffer.flip();
            while (true) {
                int start = buffer.position();
                if (buffer.remaining() < 2) {
                    break;
                }
                int first = buffer.get(start) & 0xff;
                long length = buffer.get(start + 1) & 0x7f;
                int header = 2;
                if (length == 126) {
                    if (buffer.remaining() < 4) {
                        break;
                    }
                    length = buffer.getShort(start + 2) & 0xffff;
                    header = 4;
                } else if (length == 127) {
                    if (buffer.remaining() < 10) {
                        break;
                    }
                    length = buffer.getLong(start + 2);
                    header = 10;
                }
                if (header + length > buffer.capacity()) { // a frame larger than the buffer: grow it
                    ByteBuffer larger = ByteBuffer.allocate((int) (header + length) * 2);
                    larger.put(buffer);
                    key.attach(larger);
                    return;
                }
                if (buffer.remaining() < header + length) {
                    break;
                }
                int opcode = first & 0x0f;
                int payload = start + header;
                if (opcode == TEXT) {
                    listener.onText(buffer.array(), payload, (int) length);
                } else if (opcode == PING) {
                    byte[] data = new byte[(int) length];
                    buffer.get(payload, data);
                    write(channel, frame(PONG, data));
                } else if (opcode == CLOSE) {
                    key.cancel();
                    channel.close();
                    return;
                }
                buffer.position((int) (payload + length));
            }
            buffer.compact();
        } catch (IOException e) {
            key.cancel();
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A masked client frame. */
    private static ByteBuffer frame(int opcode, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 14);
        frame.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else {
            frame.put((byte) (0x80 | 126));
            frame.putShort((short) payload.length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return frame.flip();
    }

    /** Writes all of {@code data}; spins on a full socket (client frames here are tiny). */
    private static void write(SocketChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Drops every connection at once (no close handshake), like clients that vanish. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        synchronized (channels) {
            for (SocketChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            channels.clear();
        }
        try {
            loop.join(5_000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

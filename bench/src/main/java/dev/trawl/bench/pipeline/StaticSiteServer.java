package dev.trawl.bench.pipeline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The site server when nginx is not installed: static files of a document root served by the JDK's HTTP server
 * in a JVM of its own, on one port of several loopback hosts, with an access log in nginx's {@code $msec} format.
 * Args: root, port, access log, hosts.
 */
public final class StaticSiteServer {

    private final Path root;
    private final BufferedWriter log;

    private StaticSiteServer(Path root, BufferedWriter log) {
        this.root = root.toAbsolutePath().normalize();
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        // the JDK server leaves Nagle on: headers and body then go out as two writes and the second waits for the
        // client's delayed ACK (see testkit GeneratedSite); read when the server classes load
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path root = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        BufferedWriter log = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8);
        StaticSiteServer site = new StaticSiteServer(root, log);
        ExecutorService executor = Executors.newFixedThreadPool(8);
        for (int i = 3; i < args.length; i++) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(args[i]), port), 512);
            server.setExecutor(executor);
            server.createContext("/", site::handle);
            server.start();
        }
        Thread flusher = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(200);
                    site.flush();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "access-log-flusher");
        flusher.setDaemon(true);
        flusher.start();
        Runtime.getRuntime().addShutdownHook(new Thread(site::flush));
        new CountDownLatch(1).await();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Path file = root.resolve(path.substring(1)).normalize();
            int status;
            if (file.startsWith(root) && Files.isRegularFile(file)) {
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                status = 200;
            } else {
                exchange.sendResponseHeaders(404, -1);
                status = 404;
            }
            String host = exchange.getRequestHeaders().getFirst("Host");
            String line = String.format(Locale.ROOT, "%.3f %s %s %d%n", System.currentTimeMillis() / 1000.0,
                    host == null ? "-" : host.replaceFirst(":\\d+$", ""), exchange.getRequestURI(), status);
            synchronized (log) {
                log.write(line);
            }
        }
    }

    private void flush() {
        synchronized (log) {
            try {
                log.flush();
            } catch (IOException ignored) {
                // the next flush tries again
            }
        }
    }
}

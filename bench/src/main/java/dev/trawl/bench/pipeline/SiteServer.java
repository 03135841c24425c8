package dev.trawl.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The site server: a process of its own serving the document root {@code www} on two loopback hosts (one port),
 * with an access log of one line per request, {@code <epoch seconds with ms> <host> <path> <status>}. nginx when
 * it is installed (a generated configuration, in the foreground), else {@link StaticSiteServer} in a JVM.
 */
final class SiteServer implements AutoCloseable {

    static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2");

    private final String kind;
    private final Process process;
    private final int port;
    private final Path accessLog;

    private SiteServer(String kind, Process process, int port, Path accessLog) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.accessLog = accessLog;
    }

    /** Starts nginx ({@code choice} nginx, or auto with nginx on the PATH) or the JVM server, serving {@code www}. */
    static SiteServer start(String choice, Path dir, Path www) throws IOException, InterruptedException {
        String nginx = "jdk".equals(choice) ? null : nginxBinary();
        if (nginx == null && "nginx".equals(choice)) {
            throw new IllegalStateException("nginx is not installed: apt-get install -y --no-install-recommends "
                    + "nginx");
        }
        int port = freePort();
        Path accessLog = dir.resolve("access.log");
        List<String> command = new ArrayList<>();
        String kind;
        if (nginx != null) {
            kind = "nginx";
            Path conf = writeNginxConf(dir, www, port, accessLog);
            command.addAll(List.of(nginx, "-p", dir.toString(), "-c", conf.toString(), "-e",
                    dir.resolve("error.log").toString()));
        } else {
            kind = "JVM (com.sun.net.httpserver)";
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    StaticSiteServer.class.getName(), www.toString(), Integer.toString(port), accessLog.toString()));
            command.addAll(HOSTS);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("site-server.log").toFile()).start();
        SiteServer server = new SiteServer(kind, process, port, accessLog);
        server.awaitListening();
        return server;
    }

    String kind() {
        return kind;
    }

    /** {@code http://host:port/prefix/p/0}. */
    String seed(String host, String prefix) {
        return "http://" + host + ":" + port + "/" + prefix + "/p/0";
    }

    /** The server's processes: nginx's master and its workers, or the JVM. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** Epoch milliseconds of the requests under {@code /prefix/} logged so far. */
    List<Long> requestTimes(String prefix) {
        String path = " /" + prefix + "/";
        List<Long> times = new ArrayList<>();
        if (!Files.exists(accessLog)) {
            return times;
        }
        try (Stream<String> lines = Files.lines(accessLog, StandardCharsets.UTF_8)) {
            lines.filter(l -> l.contains(path)).forEach(l -> {
                String stamp = l.substring(0, l.indexOf(' '));
                times.add(Math.round(Double.parseDouble(stamp) * 1000));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return times;
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " exited at start; see site-server.log and error.log");
            }
            boolean all = true;
            for (String host : HOSTS) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), 500);
                } catch (IOException notYet) {
                    all = false;
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(kind + " did not listen on port " + port + " within 30 s");
    }

    private static Path writeNginxConf(Path dir, Path www, int port, Path accessLog) throws IOException {
        // nginx's workers run as nobody: the run directory (a private temporary one) must be readable by others;
        // what is created inside it gets the usual umask
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder listen = new StringBuilder();
        for (String host : HOSTS) {
            listen.append("    listen ").append(host).append(':').append(port).append(";\n");
        }
        Path temp = Files.createDirectories(dir.resolve("nginx-temp"));
        String conf = """
                daemon off;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  types { }
                  default_type text/html;
                  charset utf-8;
                  sendfile on;
                  tcp_nodelay on;
                  keepalive_timeout 75s;
                  keepalive_requests 1000000;
                  client_body_temp_path %2$s/body;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;
                  log_format bench '$msec $host $request_uri $status';
                  access_log %3$s bench;
                  server {
                %4$s    root %5$s;
                  }
                }
                """.formatted(dir, temp, accessLog, listen, www);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        return file;
    }

    private static String nginxBinary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM to the server (nginx stops its workers), then SIGKILL to whatever of it is still alive. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : all) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}

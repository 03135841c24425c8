package dev.trawl.testkit;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A stand-in for a Trawl service, for {@link ServiceProcessTest}: prints its arguments and {@code TRAWL_FAKE}, answers
 * {@code /actuator/health/readiness} on {@code --server.port}, says so when it is asked to stop; with the argument
 * {@code exit} it exits at once instead.
 */
public final class FakeService {

    private FakeService() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("args " + Arrays.toString(args) + " env TRAWL_FAKE=" + System.getenv("TRAWL_FAKE"));
        System.out.flush();
        if (Arrays.asList(args).contains("exit")) {
            System.exit(3);
        }
        int port = Arrays.stream(args).filter(a -> a.startsWith("--server.port=")).findFirst()
                .map(a -> Integer.parseInt(a.substring("--server.port=".length()))).orElseThrow();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/actuator/health/readiness", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping cleanly");
            System.out.flush();
        }));
        Thread.currentThread().join();
    }
}

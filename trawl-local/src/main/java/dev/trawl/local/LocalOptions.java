package dev.trawl.local;

import java.nio.file.Path;
import java.time.Duration;

/** Options of {@code ./trawl up}. */
record LocalOptions(Path home, int httpPort, int kafkaPort, int workers, int sitePages, boolean exitWhenDone,
                    Duration startTimeout, Duration demoTimeout, boolean help) {

    static final String USAGE = """
            usage: ./trawl up [--exit-when-done] [--port N] [--kafka-port N] [--workers N] [--site-pages N]
              starts a Kafka broker, the aggregator, the gateway and N crawler workers on this machine,
              serves a sample site on loopback and crawls it as a demo.
              --exit-when-done  stop everything when the demo crawl ends; exit 0 only if it completed
              --port N          gateway HTTP port (default 8080)
              --kafka-port N    broker port (default 9092)
              --workers N       crawler worker processes (default 2)
              --site-pages N    pages of the sample site (default 300)""";

    static LocalOptions parse(String[] args) {
        Path home = Path.of(System.getProperty("trawl.home", ".")).toAbsolutePath().normalize();
        int httpPort = 8080;
        int kafkaPort = 9092;
        int workers = 2;
        int sitePages = 300;
        boolean exitWhenDone = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--exit-when-done" -> exitWhenDone = true;
                case "--port" -> httpPort = intArg(args, ++i, "--port");
                case "--kafka-port" -> kafkaPort = intArg(args, ++i, "--kafka-port");
                case "--workers" -> workers = intArg(args, ++i, "--workers");
                case "--site-pages" -> sitePages = intArg(args, ++i, "--site-pages");
                case "-h", "--help" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (workers < 1 || sitePages < 1) {
            throw new IllegalArgumentException("--workers and --site-pages must be at least 1");
        }
        return new LocalOptions(home, httpPort, kafkaPort, workers, sitePages, exitWhenDone, Duration.ofMinutes(3),
                Duration.ofMinutes(10), help);
    }

    private static int intArg(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a number");
        }
        try {
            return Integer.parseInt(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, not " + args[i]);
        }
    }
}

package dev.trawl.local.cli;

import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.serde.Json;
import dev.trawl.local.cli.CliArgs.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ./trawl submit | list | watch | cancel}: the gateway's REST and NDJSON API from a shell. Talks HTTP only,
 * never to Kafka. Exit codes: 0 done (a watched job completed, with or without failures), 1 a watched job failed or
 * was cancelled (or a cancel found it already ended), 2 a refused or malformed command line, 3 no such job or the
 * stream ended without the job ending, 4 the gateway could not be reached or answered unexpectedly.
 *
 * <p>Over 300 lines: four commands and what each prints. Moving the command line to picocli (issue 18, the clients
 * users work in) makes one class per subcommand, and {@link CliArgs} goes.
 */
public final class TrawlCli {

    static final int OK = 0;
    static final int JOB_DID_NOT_COMPLETE = 1;
    static final int REFUSED = 2;
    static final int NO_OUTCOME = 3;
    static final int GATEWAY_ERROR = 4;

    static final String DEFAULT_GATEWAY = "http://localhost:8080";
    static final String USAGE = """
            usage: ./trawl <command> [options]        (global: --gateway URL, env TRAWL_GATEWAY, default %s;
                                                       --token T, env TRAWL_TOKEN, the gateway's API token)
              submit <seed-url>... [--name N] [--max-depth N] [--max-pages N] [--include REGEX]... [--exclude REGEX]...
                     [--max-child-failures N] [--failure-action continue|stop_all|mark_warning] [--watch]
                                 submit a crawl, print its id (and watch it with --watch)
              list [--status S] [--size N]   jobs, newest first: id, status, progress, progress text, name
              watch <id>                     live progress until the job ends
              cancel <id> [--reason TEXT]    ask the job to stop
            exit codes: 0 ok / job completed, 1 job failed or cancelled, 2 refused, 3 no such job or no outcome,
                        4 gateway unreachable or unexpected answer""".formatted(DEFAULT_GATEWAY);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean tty;

    /** @param tty whether {@code out} is a terminal: the watch line is then redrawn in place */
    public TrawlCli(PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.tty = tty;
    }

    public static void main(String[] args) {
        // the launcher knows whether stdout is a terminal ([ -t 1 ]); System.console() also looks at stdin
        String tty = System.getProperty("trawl.tty");
        boolean terminal = tty == null ? System.console() != null : Boolean.parseBoolean(tty);
        System.exit(new TrawlCli(System.out, System.err, System.getenv(), terminal).run(args));
    }

    /** Runs one command and returns its exit code. */
    public int run(String... args) {
        List<String> rest = new ArrayList<>(List.of(args));
        String gateway = env.getOrDefault("TRAWL_GATEWAY", DEFAULT_GATEWAY);
        try {
            gateway = takeGlobal(rest, "gateway", gateway);
            String token = takeGlobal(rest, "token", env.get("TRAWL_TOKEN"));
            if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h") || rest.get(0).equals("help")) {
                (rest.isEmpty() ? err : out).println(USAGE);
                return rest.isEmpty() ? REFUSED : OK;
            }
            String verb = rest.remove(0);
            GatewayClient client = new GatewayClient(gateway, token);
            return switch (verb) {
                case "submit" -> submit(client, rest);
                case "list" -> list(client, rest);
                case "watch" -> watch(client, single(rest, "watch"));
                case "cancel" -> cancel(client, rest);
                default -> throw new UsageException("unknown command '" + verb + "'");
            };
        } catch (UsageException e) {
            err.println("trawl: " + e.getMessage());
            err.println(USAGE);
            return REFUSED;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            err.println("trawl: cannot reach the gateway at " + gateway + " (" + e + ")");
            return GATEWAY_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GATEWAY_ERROR;
        }
    }

    private int submit(GatewayClient client, List<String> args) throws IOException, InterruptedException {
        CliArgs a = CliArgs.parse(args, Set.of("name", "max-depth", "max-pages", "include", "exclude",
                "max-child-failures", "failure-action"), Set.of("watch"));
        if (a.positionals().isEmpty()) {
            throw new UsageException("submit needs at least one seed URL");
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (a.value("name") != null) {
            body.put("name", a.value("name"));
        }
        a.positionals().forEach(body.putArray("seeds")::add);
        putNumber(body, "max_depth", a.value("max-depth"));
        putNumber(body, "max_pages", a.value("max-pages"));
        putArray(body, "include", a.values("include"));
        putArray(body, "exclude", a.values("exclude"));
        if (a.value("max-child-failures") != null || a.value("failure-action") != null) {
            ObjectNode tolerance = body.putObject("error_tolerance");
            putNumber(tolerance, "max_child_failures", a.value("max-child-failures"));
            if (a.value("failure-action") != null) {
                tolerance.put("failure_action", a.value("failure-action"));
            }
        }
        HttpResponse<String> response = client.submit(body.toString());
        if (response.statusCode() != 201) {
            return refusedOrUnexpected("submit", response);
        }
        String id = Json.MAPPER.readTree(response.body()).get("id").asString();
        out.println(id);
        out.flush();
        return a.flag("watch") ? watch(client, id) : OK;
    }

    private int list(GatewayClient client, List<String> args) throws IOException, InterruptedException {
        CliArgs a = CliArgs.parse(args, Set.of("status", "size"), Set.of());
        if (!a.positionals().isEmpty()) {
            throw new UsageException("list takes no arguments, got " + a.positionals());
        }
        int size;
        try {
            size = a.value("size") == null ? 50 : Integer.parseInt(a.value("size"));
        } catch (NumberFormatException e) {
            throw new UsageException("--size must be an integer");
        }
        HttpResponse<String> response = client.list(a.value("status"), size);
        if (response.statusCode() != 200) {
            return refusedOrUnexpected("list", response);
        }
        JsonNode page = Json.MAPPER.readTree(response.body());
        List<String[]> rows = new ArrayList<>();
        for (JsonNode job : page.path("items")) {
            rows.add(new String[] {job.path("id").asString(""), job.path("status").asString(""),
                (int) Math.floor(job.path("progress").asDouble(0) * 100) + "%",
                job.path("progress_text").asString(""), job.path("name").asString("")});
        }
        if (rows.isEmpty()) {
            out.println("no jobs");
            return OK;
        }
        rows.add(0, new String[] {"ID", "STATUS", "DONE", "PROGRESS", "NAME"});
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            out.println(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %" + width[2] + "s  %-" + width[3]
                    + "s  %s", (Object[]) row).stripTrailing());
        }
        long total = page.path("total").asLong(rows.size() - 1);
        if (total > rows.size() - 1) {
            out.println("(" + (rows.size() - 1) + " of " + total + " jobs, newest first; --size for more)");
        }
        return OK;
    }

    /** Follows the job's NDJSON stream, one line per snapshot, until its terminal snapshot. */
    private int watch(GatewayClient client, String id) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = client.stream(id);
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() == 404) {
                err.println("trawl watch: no job " + id);
                return NO_OUTCOME;
            }
            if (response.statusCode() != 200) {
                String body = String.join("\n", lines.toList());
                return refusedOrUnexpected("watch", new StatusAndBody(response.statusCode(), body));
            }
            int drawn = 0;
            try {
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = Json.MAPPER.readTree(line);
                    if (node.has("type")) { // snapshots have no type; the only other line is "removed"
                        if (node.get("type").asString().equals("removed")) {
                            endLine(drawn);
                            err.println("trawl watch: job " + id + " was removed");
                            return NO_OUTCOME;
                        }
                        continue;
                    }
                    ParentProgress p = Json.MAPPER.treeToValue(node, ParentProgress.class);
                    drawn = draw(ProgressLine.of(p), drawn);
                    if (p.status().isTerminal()) {
                        endLine(drawn);
                        return ended(id, p);
                    }
                }
            } catch (UncheckedIOException truncated) {
                // the gateway dropped the connection (e.g. a stream too slow to read): no outcome known
            }
            endLine(drawn);
            err.println("trawl watch: the stream of job " + id + " ended before the job did");
            return NO_OUTCOME;
        }
    }

    private int ended(String id, ParentProgress p) {
        String warning = p.warning() == null ? "" : " (warning: " + p.warning() + ")";
        out.println("job " + id + " " + p.status().wireName() + warning);
        return switch (p.status()) {
            case COMPLETED, COMPLETED_WITH_FAILURES -> OK;
            default -> JOB_DID_NOT_COMPLETE;
        };
    }

    private int cancel(GatewayClient client, List<String> args) throws IOException, InterruptedException {
        CliArgs a = CliArgs.parse(args, Set.of("reason"), Set.of());
        String id = single(a.positionals(), "cancel");
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (a.value("reason") != null) {
            body.put("reason", a.value("reason"));
        }
        HttpResponse<String> response = client.cancel(id, body.toString());
        switch (response.statusCode()) {
            case 200, 202 -> {
                JsonNode answer = Json.MAPPER.readTree(response.body());
                out.println("cancel requested for job " + id + " (event " + answer.path("event_id").asString("?")
                        + "); ./trawl watch " + id + " shows when it has stopped");
                return OK;
            }
            case 404 -> {
                err.println("trawl cancel: no job " + id);
                return NO_OUTCOME;
            }
            case 409 -> {
                err.println("trawl cancel: " + GatewayClient.detail(response.body()));
                return JOB_DID_NOT_COMPLETE;
            }
            default -> {
                return refusedOrUnexpected("cancel", response);
            }
        }
    }

    /** 400 and 401 are the caller's to fix (exit 2); anything else is the gateway's (exit 4). */
    private int refusedOrUnexpected(String verb, HttpResponse<String> response) {
        return refusedOrUnexpected(verb, new StatusAndBody(response.statusCode(), response.body()));
    }

    private int refusedOrUnexpected(String verb, StatusAndBody response) {
        String detail = GatewayClient.detail(response.body());
        if (response.status() == 400) {
            err.println("trawl " + verb + ": refused: " + detail);
            return REFUSED;
        }
        if (response.status() == 401) {
            err.println("trawl " + verb + ": " + detail + " (give it with --token or TRAWL_TOKEN)");
            return REFUSED;
        }
        err.println("trawl " + verb + ": the gateway answered " + response.status() + ": " + detail);
        return GATEWAY_ERROR;
    }

    private record StatusAndBody(int status, String body) {
    }

    /** On a terminal, redraws in place (padding over a longer previous line); else one line per snapshot. */
    private int draw(String line, int previous) {
        if (tty) {
            out.print("\r" + line + " ".repeat(Math.max(0, previous - line.length())));
        } else {
            out.println(line);
        }
        out.flush();
        return line.length();
    }

    private void endLine(int drawn) {
        if (tty && drawn > 0) {
            out.println();
        }
    }

    private static String single(List<String> args, String verb) {
        if (args.size() != 1 || args.get(0).startsWith("--")) {
            throw new UsageException(verb + " needs exactly one job id");
        }
        return args.get(0);
    }

    /** A number when it is one; otherwise the text as given, so the gateway refuses it naming the field. */
    private static void putNumber(ObjectNode node, String field, String value) {
        if (value == null) {
            return;
        }
        try {
            node.put(field, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            node.put(field, value);
        }
    }

    private static void putArray(ObjectNode node, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    /** Removes {@code --name value} / {@code --name=value} wherever it stands and returns its value. */
    private static String takeGlobal(List<String> args, String name, String fallback) {
        String value = fallback;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--" + name)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args.remove(i + 1);
                args.remove(i--);
            } else if (arg.startsWith("--" + name + "=")) {
                value = arg.substring(name.length() + 3);
                args.remove(i--);
            }
        }
        return value;
    }
}

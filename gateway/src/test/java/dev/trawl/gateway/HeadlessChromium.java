package dev.trawl.gateway;

import dev.trawl.api.serde.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own WebSocket client: no
 * browser download, no driver. One page; {@link #eval} runs JavaScript in it and returns the value.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));

    private final Process process;
    private final Path profile;
    private final WebSocket devtools;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    HeadlessChromium() throws Exception {
        profile = Files.createTempDirectory("trawl-chromium");
        process = new ProcessBuilder(BINARY.toString(), "--headless=new", "--no-sandbox",
                "--disable-background-networking", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String browserSocket = devToolsUrl();
        URI http = URI.create(browserSocket.replaceFirst("^ws://([^/]+)/.*$", "http://$1"));
        HttpClient client = HttpClient.newHttpClient();
        JsonNode targets = Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(http.resolve("/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String pageSocket = null;
        for (JsonNode target : targets) {
            if ("page".equals(target.path("type").asString())) {
                pageSocket = target.get("webSocketDebuggerUrl").asString();
            }
        }
        if (pageSocket == null) {
            throw new IllegalStateException("chromium opened no page: " + targets);
        }
        devtools = client.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener())
                .get(20, TimeUnit.SECONDS);
        call("Page.enable", Json.MAPPER.createObjectNode());
        call("Runtime.enable", Json.MAPPER.createObjectNode());
    }

    private String devToolsUrl() throws IOException {
        BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = stderr.readLine()) != null) {
            if (line.startsWith("DevTools listening on ")) {
                Thread drain = new Thread(() -> stderr.lines().forEach(l -> { }), "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return line.substring("DevTools listening on ".length()).strip();
            }
            seen.append(line).append('\n');
        }
        throw new IllegalStateException("chromium exited before DevTools listened:\n" + seen);
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Json.MAPPER.createObjectNode().put("url", url));
    }

    /** Evaluates {@code expression} in the page (promises awaited) and returns its JSON value. */
    JsonNode eval(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Json.MAPPER.createObjectNode().put("expression", expression)
                .put("awaitPromise", true).put("returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    String evalString(String expression) throws Exception {
        JsonNode value = eval(expression);
        return value.isNull() || value.isMissingNode() ? null : value.asString();
    }

    /** A PNG of the page: the viewport, or the whole page when {@code fullPage}. */
    void screenshot(Path file, boolean fullPage) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Json.MAPPER.createObjectNode().put("format", "png")
                .put("captureBeyondViewport", fullPage));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asString()));
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        ObjectNode message = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        devtools.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode response = answer.get(30, TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IllegalStateException(method + " failed: " + response.get("error"));
        }
        return response.path("result");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = Json.MAPPER.readTree(partial.toString());
                partial.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonNode> call = calls.remove(message.get("id").intValue());
                    if (call != null) {
                        call.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            devtools.abort();
        } finally {
            // Chromium's helper processes (network service, renderers) write to the profile too: stop them all
            List<ProcessHandle> helpers = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle helper : helpers) {
                helper.destroy();
                helper.onExit().completeOnTimeout(helper, 10, TimeUnit.SECONDS).join();
            }
            deleteProfile();
        }
    }

    /** Deletes the throwaway profile; a file that vanishes meanwhile is no reason to fail a test. */
    private void deleteProfile() {
        for (int attempt = 0; attempt < 3 && Files.exists(profile); attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException e) {
                // a helper removed or added a file while we walked: walk again
            }
        }
    }

}

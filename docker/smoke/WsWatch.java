import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compose smoke's WebSocket client (run as a single-file program: {@code java WsWatch.java URL JOB_ID SECONDS}):
 * subscribes to one job on the gateway's {@code /ws}, checks that the versions it receives strictly increase,
 * and when a terminal snapshot arrives prints one line {@code status=.. pending=.. running=.. completed=..
 * failed=.. total=.. document_count=.. version=.. messages=..} and exits 0. Exits 1 on a version that does not
 * increase, a closed connection or no terminal snapshot within SECONDS.
 */
public class WsWatch {


    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String jobId = args[1];
        long seconds = Long.parseLong(args[2]);
        CompletableFuture<String> done = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();
            private long lastVersion = -1;
            private int messages;

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    handle(partial.toString());
                    partial.setLength(0);
                }
                socket.request(1);
                return null;
            }

            private void handle(String message) {
                String type = string(message, "type");
                if (!"snapshot".equals(type) && !"parent_job_progress".equals(type)) {
                    return;
                }
                if (!jobId.equals(string(message, "job_id")) || message.contains("\"found\":false")) {
                    return;
                }
                messages++;
                long version = number(message, "version");
                if (version >= 0) {
                    if (version <= lastVersion) {
                        done.completeExceptionally(new IllegalStateException(
                                "version " + version + " after " + lastVersion));
                        return;
                    }
                    lastVersion = version;
                }
                String status = string(message, "status");
                if (status != null && status.matches("completed|completed_with_failures|failed|cancelled")) {
                    done.complete("status=" + status + " pending=" + number(message, "pending")
                            + " running=" + number(message, "running") + " completed=" + number(message, "completed")
                            + " failed=" + number(message, "failed") + " total=" + number(message, "total")
                            + " document_count=" + number(message, "document_count") + " version=" + version
                            + " messages=" + messages);
                }
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                done.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                done.completeExceptionally(error);
            }
        };
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener).get(15, TimeUnit.SECONDS);
        socket.sendText("{\"op\":\"subscribe\",\"job_id\":\"" + jobId + "\"}", true);
        try {
            System.out.println(done.get(seconds, TimeUnit.SECONDS));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("WsWatch: " + (e.getCause() != null ? e.getCause() : e));
            System.exit(1);
        }
    }

    private static String string(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}

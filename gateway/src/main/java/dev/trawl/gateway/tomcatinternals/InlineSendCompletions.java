package dev.trawl.gateway.tomcatinternals;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ResizableExecutor;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Runs the completions of WebSocket sends on the thread that finished the write, instead of handing each one to
 * Tomcat's request executor.
 *
 * <p>Tomcat completes every asynchronous WebSocket send by submitting a small task to the connector's executor
 * ({@code WsRemoteEndpointImplServer.clearHandler}), even when the write went straight into the socket on the
 * sending thread. At 20,000 messages a second that is 20,000 thread wake-ups: in a profile of the gateway at 5,000
 * clients, half its CPU was the kernel switching threads, and Tomcat's executor threads spent 90 % of their time
 * there. This executor wraps the connector's and runs those tasks (and only those) inline, unless it is on Tomcat's
 * poller thread or already nested a few completions deep. Tomcat dispatches them only to avoid unbounded recursion
 * (its bug 55715): the live clients' outbox loops rather than recursing when a send completes inline, and the
 * depth bound covers Tomcat's own chaining of a long message's parts. The socket's write operation and the
 * endpoint's message-part semaphore are both released before the completion runs, so the next send may start from
 * it. Everything else (requests, reads, a send that completed later on an executor thread) goes to the connector's
 * executor as before.
 *
 * <p>Installed once the web server has started (the connector creates its executor at start); the connector then
 * treats the executor as external, so this bean shuts it down when the context closes. It reports the connector's
 * pool (busy and current threads) as its own, so Tomcat's thread metrics stay true.
 *
 * <p>What it relies on, none of it Tomcat's public API: the class name of the completion task
 * ({@value #SEND_COMPLETION}), the name of the NIO poller thread (ending {@value #POLLER_SUFFIX}), a protocol handler
 * that takes a new executor after start, and that the socket's write and the endpoint's message-part semaphore are
 * released before the completion runs. Should the task's class be missing, it is not installed and says so in the
 * log; {@code TomcatInternalsTest} fails on any of these changes.
 *
 * <p>Switch: {@value #SWITCH} (default true); off, Tomcat dispatches every completion as it does by default.
 */
final class InlineSendCompletions implements ResizableExecutor, ApplicationListener<WebServerInitializedEvent>,
        DisposableBean {

    /** The setting that installs it. */
    static final String SWITCH = "trawl.gateway.ws.inline-send-completions";
    /** Tomcat's task that calls a WebSocket send's {@code SendHandler}. */
    static final String SEND_COMPLETION =
            "org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable";
    /** How Tomcat's NIO endpoint names its poller thread: {@code <endpoint name>-Poller}. */
    static final String POLLER_SUFFIX = "-Poller";

    private static final Logger log = LoggerFactory.getLogger(InlineSendCompletions.class);
    private static final int MAX_DEPTH = 4;
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private volatile Executor connector;
    private final LongAdder inline = new LongAdder();
    private final LongAdder dispatched = new LongAdder();

    /** Counts the completions as {@code trawl.gateway.ws.send.completions}, tagged {@code ran=inline|dispatched}. */
    void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("trawl.gateway.ws.send.completions", inline, LongAdder::sum)
                .tag("ran", "inline").description("WebSocket send completions run on the sending thread")
                .register(registry);
        FunctionCounter.builder("trawl.gateway.ws.send.completions", dispatched, LongAdder::sum)
                .tag("ran", "dispatched").description("WebSocket send completions handed to Tomcat's executor")
                .register(registry);
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (!(event.getWebServer() instanceof TomcatWebServer tomcat) || connector != null) {
            return;
        }
        if (!sendCompletionClassPresent()) {
            log.warn("Tomcat has no {} (an upgrade changed it): WebSocket send completions stay on Tomcat's executor",
                    SEND_COMPLETION);
            return;
        }
        Connector http = tomcat.getTomcat().getConnector();
        if (http.getProtocolHandler() instanceof AbstractProtocol<?> protocol && protocol.getExecutor() != null) {
            connector = protocol.getExecutor();
            protocol.setExecutor(this);
            log.debug("WebSocket send completions run inline on {}", http);
        } else {
            log.warn("{} has no executor to wrap (a Tomcat upgrade changed it): WebSocket send completions stay on"
                    + " Tomcat's executor", http.getProtocolHandler());
        }
    }

    /** Whether this executor now runs the connector's tasks. */
    boolean installed() {
        return connector != null;
    }

    /** Send completions run inline so far. */
    long inlineCompletions() {
        return inline.sum();
    }

    static boolean sendCompletionClassPresent() {
        try {
            return Runnable.class.isAssignableFrom(
                    Class.forName(SEND_COMPLETION, false, InlineSendCompletions.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public void execute(Runnable task) {
        if (task.getClass().getName().equals(SEND_COMPLETION)) {
            int[] depth = DEPTH.get();
            if (depth[0] >= MAX_DEPTH || Thread.currentThread().getName().endsWith(POLLER_SUFFIX)) {
                dispatched.increment();
            } else {
                inline.increment();
                depth[0]++;
                try {
                    task.run();
                } finally {
                    depth[0]--;
                }
                return;
            }
        }
        connector.execute(task);
    }

    @Override
    public int getPoolSize() {
        return connector instanceof ThreadPoolExecutor pool ? pool.getPoolSize() : -1;
    }

    @Override
    public int getMaxThreads() {
        return connector instanceof ThreadPoolExecutor pool ? pool.getMaximumPoolSize() : -1;
    }

    @Override
    public int getActiveCount() {
        return connector instanceof ThreadPoolExecutor pool ? pool.getActiveCount() : -1;
    }

    @Override
    public boolean resizePool(int corePoolSize, int maximumPoolSize) {
        if (!(connector instanceof ThreadPoolExecutor pool)) {
            return false;
        }
        pool.setCorePoolSize(corePoolSize);
        pool.setMaximumPoolSize(maximumPoolSize);
        return true;
    }

    @Override
    public boolean resizeQueue(int capacity) {
        return false;
    }

    /** As Tomcat stops the executor it created: at once, its threads are only ever waiting for work by now. */
    @Override
    public void destroy() {
        if (connector instanceof ExecutorService service) {
            service.shutdownNow();
        }
    }
}

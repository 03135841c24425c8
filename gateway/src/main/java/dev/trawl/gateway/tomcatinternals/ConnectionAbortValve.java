package dev.trawl.gateway.tomcatinternals;

import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Gives each request a way to drop its connection at once, which the Servlet API lacks: a request attribute
 * holding a {@link Runnable} that asks Tomcat to close the connection now (its {@code CLOSE_NOW} action, the one it
 * takes itself when a write fails), discarding what the client has not taken. Ending the response normally
 * instead (the standard route, when this valve is off) leaves a stalled client's connection open until Tomcat's own
 * write timeout, holding the bytes queued for it.
 *
 * <p>What it relies on, beyond the Servlet API: a context valve sees Catalina's {@link Request} and {@link Response};
 * the Coyote response accepts {@link ActionCode#CLOSE_NOW} from any thread while the request is in asynchronous
 * mode; and the response is not recycled until the async context completes. Only for a request in asynchronous
 * mode whose owner is sure it has not completed (see {@code live.ServletStreamOutput}). {@code ConnectionAbortValveTest}
 * fails when any of that changes.
 *
 * <p>Switch: {@value #SWITCH} (default true).
 */
public final class ConnectionAbortValve extends ValveBase {

    /** The setting that installs the valve. */
    public static final String SWITCH = "trawl.gateway.stream.connection-abort-valve";

    /** The request attribute holding the {@link Runnable}. */
    static final String ATTRIBUTE = ConnectionAbortValve.class.getName();

    ConnectionAbortValve() {
        super(true);
    }

    /**
     * What drops {@code request}'s connection at once, or null where the valve is not installed (switched off, or
     * not Tomcat): the caller then ends the response the standard way.
     */
    public static Runnable closeNowOf(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Runnable closeNow ? closeNow : null;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, (Runnable) () -> response.getCoyoteResponse()
                .action(ActionCode.CLOSE_NOW, new IOException("connection dropped by the gateway")));
        getNext().invoke(request, response);
    }
}

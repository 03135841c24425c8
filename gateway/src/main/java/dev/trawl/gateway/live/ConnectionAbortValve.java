package dev.trawl.gateway.live;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Gives each request a way to drop its connection at once, which the Servlet API lacks: a request attribute
 * holding a {@link Runnable} that asks Tomcat to close the connection now (its {@code CLOSE_NOW} action, the one it
 * takes itself when a write fails), discarding what the client has not taken. Ending the response normally
 * instead would leave a stalled client's connection open until Tomcat's own write timeout.
 *
 * <p>Only for a request in asynchronous mode whose owner is sure it has not completed: the response objects are
 * recycled once it has (see {@link ServletStreamOutput}).
 */
final class ConnectionAbortValve extends ValveBase {

    /** The request attribute holding the {@link Runnable}. */
    static final String ATTRIBUTE = ConnectionAbortValve.class.getName();

    ConnectionAbortValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, (Runnable) () -> response.getCoyoteResponse()
                .action(ActionCode.CLOSE_NOW, new IOException("connection dropped by the gateway")));
        getNext().invoke(request, response);
    }
}

/**
 * Where the gateway reaches into Tomcat beyond its public API, fenced off: each class here names what it relies on,
 * sits behind a {@code trawl.gateway.*} switch that is on by default (off takes the standard Servlet or WebSocket
 * route), and has a test ({@code TomcatInternalsTest}, {@code ConnectionAbortValveTest}) that fails when a Tomcat
 * upgrade changes what it relies on; {@code WithoutTomcatInternalsTest} runs the gateway with both switched off.
 * <ul>
 *   <li>{@link dev.trawl.gateway.tomcatinternals.InlineSendCompletions}: WebSocket send completions run on the
 *       writing thread instead of one executor hand-off per message
 *       ({@code trawl.gateway.ws.inline-send-completions});</li>
 *   <li>{@link dev.trawl.gateway.tomcatinternals.ConnectionAbortValve}: an SSE or NDJSON client too slow to read is
 *       dropped at once instead of held until Tomcat's write timeout
 *       ({@code trawl.gateway.stream.connection-abort-valve}).</li>
 * </ul>
 * Nothing outside this package imports Tomcat's classes, save the settings Tomcat documents for embedding.
 */
package dev.trawl.gateway.tomcatinternals;

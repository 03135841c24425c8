package dev.trawl.gateway.tomcatinternals;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each workaround of Tomcat's internals, behind its own switch (on by default; off takes the standard route). */
@Configuration(proxyBeanMethods = false)
class TomcatInternalsConfig {

    /** WebSocket send completions inline ({@value InlineSendCompletions#SWITCH}). */
    @Bean
    @ConditionalOnProperty(name = InlineSendCompletions.SWITCH, havingValue = "true", matchIfMissing = true)
    static InlineSendCompletions inlineSendCompletions(ObjectProvider<MeterRegistry> registry) {
        InlineSendCompletions completions = new InlineSendCompletions();
        registry.ifAvailable(completions::bindTo);
        return completions;
    }

    /** Slow SSE and NDJSON clients dropped at once ({@value ConnectionAbortValve#SWITCH}). */
    @Bean
    @ConditionalOnProperty(name = ConnectionAbortValve.SWITCH, havingValue = "true", matchIfMissing = true)
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> connectionAbortValve() {
        return factory -> factory.addContextValves(new ConnectionAbortValve());
    }
}

package dev.trawl.exporter;

import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The listener's error handling, picked up by Boot's listener container factory: a record that cannot be read is
 * a dead letter at once; a file that cannot be written is retried a few times (a full disk, a remount) before its
 * record, too, goes to {@code trawl.dead-letters} with the reason in {@code trawl.dlt.*} headers, so the exporter
 * never stalls on one record and never drops one silently.
 */
@Configuration(proxyBeanMethods = false)
class ExporterKafkaConfig {

    static final String APPLICATION = "trawl-documents-exporter";

    @Bean
    MarkdownFiles markdownFiles(ExporterProperties properties) {
        return new MarkdownFiles(properties.directory());
    }

    /**
     * {@code trawl.kafka.properties.*} (security, SASL, TLS) for the exporter's consumers too, so that one set of
     * {@code TRAWL_KAFKA_*} variables configures every container; Boot's own {@code spring.kafka.*} work as usual.
     */
    @Bean
    DefaultKafkaConsumerFactoryCustomizer trawlConsumerProperties(Environment environment) {
        Map<String, Object> properties = trawlKafkaProperties(environment);
        return factory -> factory.updateConfigs(properties);
    }

    /** The same for the producer of dead letters. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer trawlProducerProperties(Environment environment) {
        Map<String, Object> properties = trawlKafkaProperties(environment);
        return factory -> factory.updateConfigs(properties);
    }

    private static Map<String, Object> trawlKafkaProperties(Environment environment) {
        // values as strings: a map of objects would bind "client.id" as a nested map {client={id=...}}
        return Map.copyOf(Binder.get(environment).bind("trawl.kafka.properties",
                Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
    }

    @Bean
    DefaultErrorHandler documentsErrorHandler(KafkaOperations<Object, Object> template) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(Topics.DEAD_LETTERS.name(), -1));
        recoverer.setHeadersFunction((record, exception) -> DeadLetters.headers(null, reason(exception),
                record.topic(), record.partition(), record.offset(), APPLICATION));
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, new FixedBackOff(1_000, 4));
        handler.addNotRetryableExceptions(SerializationException.class, IllegalArgumentException.class);
        return handler;
    }

    private static String reason(Exception exception) {
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}

package dev.trawl.exporter;

import dev.trawl.api.topic.DeadLetters;
import dev.trawl.api.topic.Topics;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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

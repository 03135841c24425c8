package dev.trawl.api.report;

import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobStarted;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Reports the progress of any JVM job (a library scan, a site build, a batch of operations) through Trawl's
 * pipeline, so it gets the same exact counts, live snapshots, WebSocket and dashboard as a crawl.
 *
 * <pre>{@code
 * try (ProgressReporter reporter = ProgressReporter.connect("localhost:9092")) {
 *     ReportedJob scan = reporter.start("library-scan", "Scan of ~/.m2");
 *     for (Path jar : jars) {
 *         ReportedChild child = scan.child(jar.toString(), jar.getFileName().toString());
 *         child.running();
 *         ... child.completed();   // or child.failed("unreadable zip")
 *     }
 *     scan.seal();                 // no more children: the job ends when they have all finished
 * }
 * }</pre>
 *
 * Calls are asynchronous and keep their order per job (one idempotent producer, keyed by the job id); {@link
 * #flush()} waits for everything sent so far and throws the first send failure, if any.
 */
public final class ProgressReporter implements AutoCloseable {

    private final Producer<String, JobEvent> producer;
    private final boolean ownsProducer;
    private final Clock clock;
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    /** A reporter over a producer the caller configured and closes (key: String, value: JobEvent serde). */
    public ProgressReporter(Producer<String, JobEvent> producer) {
        this(producer, false, Clock.systemUTC());
    }

    private ProgressReporter(Producer<String, JobEvent> producer, boolean ownsProducer, Clock clock) {
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.clock = clock;
    }

    /** A reporter with its own idempotent producer to {@code bootstrapServers}; closing it closes the producer. */
    public static ProgressReporter connect(String bootstrapServers) {
        return connect(bootstrapServers, Map.of());
    }

    /**
     * A reporter with its own idempotent producer to a cluster that needs more settings, such as
     * {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}; closing it closes the producer.
     */
    public static ProgressReporter connect(String bootstrapServers, Map<String, ?> clientProperties) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "trawl-progress-reporter"));
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(clientProperties);
        return new ProgressReporter(new KafkaProducer<>(config, Topics.JOB_EVENTS.keySerde().serializer(),
                Topics.JOB_EVENTS.valueSerde().serializer()), true, Clock.systemUTC());
    }

    /** Starts a new job of {@code jobType} (anything but {@code crawl}) named {@code name}. */
    public ReportedJob start(String jobType, String name) {
        if (jobType == null || jobType.isBlank() || jobType.equals(dev.trawl.api.event.JobTypes.CRAWL)) {
            throw new IllegalArgumentException("a reported job needs its own job type, not '" + jobType + "'");
        }
        String id = Ids.newParentId();
        send(new JobStarted(Ids.newEventId(), id, clock.instant(), jobType, name));
        return new ReportedJob(this, id);
    }

    /** Goes on reporting a job started earlier (for example by a previous run of this process). */
    public ReportedJob resume(String jobId) {
        return new ReportedJob(this, jobId);
    }

    /** Waits until every event sent so far is acknowledged; throws the first failure since the last flush. */
    public void flush() {
        producer.flush();
        Exception failure = firstFailure.getAndSet(null);
        if (failure != null) {
            throw new KafkaException("a progress event could not be sent", failure);
        }
    }

    java.time.Instant now() {
        return clock.instant();
    }

    void send(JobEvent event) {
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), event.parentId(), event), (meta, e) -> {
            if (e != null) {
                firstFailure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            if (ownsProducer) {
                producer.close();
            }
        }
    }
}

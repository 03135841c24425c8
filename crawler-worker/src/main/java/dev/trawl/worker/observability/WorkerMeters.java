package dev.trawl.worker.observability;

import dev.trawl.api.event.ReasonClass;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.WorkerActivity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The worker's meters. Its own read the counters {@link WorkerActivity} keeps anyway:
 * <ul>
 *   <li>{@code trawl.worker.pages}, tagged {@code outcome} (completed, failed, cancelled) and {@code reason_class}
 *       (error, policy, none): pages whose outcome was committed (reported exactly once);</li>
 *   <li>{@code trawl.worker.transactions}, tagged {@code result} (committed, failed).</li>
 * </ul>
 * And the Kafka clients' own metrics, through Micrometer's {@link KafkaClientMetrics}, for the task consumer (its
 * lag: {@code kafka.consumer.fetch.manager.records.lag.max}, ...) and the producers, bound as the task loop opens
 * them and removed as it closes them (a producer that cannot abort is replaced).
 */
public final class WorkerMeters implements MeterBinder, WorkerActivity.ClientListener, AutoCloseable {

    private final CrawlWorker worker;
    private final Map<Object, KafkaClientMetrics> clientMetrics = new ConcurrentHashMap<>();
    /** One refresh thread for every client's metrics, not one each. */
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "trawl-kafka-metrics");
        thread.setDaemon(true);
        return thread;
    });
    private volatile MeterRegistry registry;

    public WorkerMeters(CrawlWorker worker) {
        this.worker = worker;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        WorkerActivity activity = worker.activity();
        page(meterRegistry, "completed", "none", WorkerActivity::completed);
        page(meterRegistry, "failed", "error", a -> a.failed(ReasonClass.ERROR));
        page(meterRegistry, "failed", "policy", a -> a.failed(ReasonClass.POLICY));
        page(meterRegistry, "cancelled", "none", WorkerActivity::cancelled);
        FunctionCounter.builder("trawl.worker.transactions", activity, WorkerActivity::transactions)
                .description("Kafka transactions of the task loop").tags("result", "committed")
                .register(meterRegistry);
        FunctionCounter.builder("trawl.worker.transactions", activity, WorkerActivity::failedTransactions)
                .description("Kafka transactions of the task loop").tags("result", "failed")
                .register(meterRegistry);
        this.registry = meterRegistry;
        activity.listen(this);
    }

    private void page(MeterRegistry meterRegistry, String outcome, String reasonClass,
                      ToDoubleFunction<WorkerActivity> count) {
        FunctionCounter.builder("trawl.worker.pages", worker.activity(), count)
                .description("Pages whose outcome the worker committed")
                .tags(Tags.of("outcome", outcome, "reason_class", reasonClass))
                .register(meterRegistry);
    }

    @Override
    public void opened(Object client) {
        MeterRegistry current = registry;
        if (current == null) {
            return;
        }
        clientMetrics.computeIfAbsent(client, c -> {
            KafkaClientMetrics metrics = c instanceof Consumer<?, ?> consumer
                    ? new KafkaClientMetrics(consumer, Tags.empty(), refresher)
                    : new KafkaClientMetrics((Producer<?, ?>) c, Tags.empty(), refresher);
            metrics.bindTo(current);
            return metrics;
        });
    }

    @Override
    public void closed(Object client) {
        KafkaClientMetrics metrics = clientMetrics.remove(client);
        if (metrics != null) {
            metrics.close();
        }
    }

    @Override
    public void close() {
        clientMetrics.values().forEach(KafkaClientMetrics::close);
        clientMetrics.clear();
        refresher.shutdownNow();
    }
}

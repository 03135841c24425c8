package dev.trawl.aggregator.observability;

import dev.trawl.aggregator.ProgressAggregator;
import dev.trawl.aggregator.flow.FlowControl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The aggregator's own meters. Each reads a counter that exists anyway when Prometheus scrapes, so the fold gains
 * nothing per event: events folded are Kafka Streams' {@code process-total} of the stream threads, the staleness
 * figures are the ones flow control keeps (see {@link FlowControl#folded}).
 *
 * <ul>
 *   <li>{@code trawl.aggregator.events.folded}: job events applied (every type: submissions, status changes,
 *       links, cancels, ...);</li>
 *   <li>{@code trawl.aggregator.fold.staleness}: child terminal events folded and the sum of their ages (a worker's
 *       send to the fold), as a timer: {@code rate(sum) / rate(count)} is their mean age;</li>
 *   <li>{@code trawl.aggregator.fold.late}: those older than flow control's {@code target-age} when folded;</li>
 *   <li>{@code trawl.aggregator.flow.limit}, {@code .in.flight}, {@code .active.parents}: the flow-control window,
 *       the children handed to workers and not finished, the crawls holding or waiting for some.</li>
 * </ul>
 */
public final class AggregatorMeters implements MeterBinder {

    private final ProgressAggregator aggregator;

    public AggregatorMeters(ProgressAggregator aggregator) {
        this.aggregator = aggregator;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("trawl.aggregator.events.folded", aggregator.kafkaStreams(),
                        AggregatorMeters::recordsProcessed)
                .description("Job events the aggregator applied (its stream threads' process-total)")
                .register(registry);
        FlowControl flow = aggregator.flowControl();
        FunctionTimer.builder("trawl.aggregator.fold.staleness", flow, FlowControl::foldedTotal,
                        FlowControl::foldedAgeMsTotal, TimeUnit.MILLISECONDS)
                .description("Age of child terminal events when folded (worker send to fold)")
                .register(registry);
        FunctionCounter.builder("trawl.aggregator.fold.late", flow, FlowControl::lateTotal)
                .description("Child terminal events older than flow control's target age when folded")
                .register(registry);
        flowGauge(registry, flow, "limit", FlowControl::limit,
                "Children this instance may have handed to workers and not finished");
        flowGauge(registry, flow, "in.flight", FlowControl::inFlight, "Children handed to workers and not finished");
        flowGauge(registry, flow, "active.parents", FlowControl::activeParents,
                "Crawls with children in flight or queued");
    }

    private static void flowGauge(MeterRegistry registry, FlowControl flow, String name,
                                  java.util.function.ToDoubleFunction<FlowControl> value, String description) {
        Gauge.builder("trawl.aggregator.flow." + name, flow, value).description(description).register(registry);
    }

    private static double recordsProcessed(KafkaStreams streams) {
        double total = 0;
        for (var entry : streams.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals("process-total") && name.group().equals("stream-thread-metrics")) {
                Metric metric = entry.getValue();
                if (metric.metricValue() instanceof Number value) {
                    total += value.doubleValue();
                }
            }
        }
        return total;
    }
}

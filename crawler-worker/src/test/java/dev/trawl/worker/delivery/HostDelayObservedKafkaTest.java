package dev.trawl.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.HostDelayObserved;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.worker.CrawlWorker;
import dev.trawl.worker.LoopbackServer;
import dev.trawl.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The worker tells the scheduler the delay it keeps per host and parent: once, and again when it changes. */
class HostDelayObservedKafkaTest {

    @Test
    void reportsAHostsDelayPerParentBeforeTheFirstOutcomeAndAgainWhenItChanges() throws Exception {
        String bootstrap = EmbeddedBroker.shared().bootstrapServers();
        String groupId = "host-delay-test-" + UUID.randomUUID();
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
        String parent = Ids.newParentId();
        String other = Ids.newParentId();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // one fetch thread: the tasks run, and are reported, in offset order
        WorkerSettings settings = WorkerSettings.defaults(bootstrap).withGroupId(groupId)
                .withAllowedPrivateCidrs(List.of("127.0.0.0/8")).withPolitenessDelay(Duration.ZERO).withMaxInFlight(1);

        // both sites are on host 127.0.0.1; the second one's robots.txt asks for a second between requests
        try (LoopbackServer plain = new LoopbackServer().html("/1", "<p>1</p>").html("/2", "<p>2</p>")
                .html("/3", "<p>3</p>");
             LoopbackServer slow = new LoopbackServer().html("/1", "<p>1</p>").body("/robots.txt", 200,
                     "text/plain", "User-agent: *\nCrawl-delay: 1\n".getBytes(StandardCharsets.UTF_8));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                     new ByteArraySerializer());
             CrawlWorker worker = new CrawlWorker(settings, CancelledParents.NONE).start();
             KafkaConsumer<byte[], byte[]> reader = KafkaTestSupport.readCommitted(bootstrap,
                     Topics.JOB_EVENTS.name())) {
            List<CrawlTask> tasks = List.of(
                    KafkaTestSupport.submit(producer, parent, plain.url("/1")),
                    KafkaTestSupport.submit(producer, parent, plain.url("/2")),
                    KafkaTestSupport.submit(producer, parent, slow.url("/1")),
                    KafkaTestSupport.submit(producer, parent, plain.url("/3")),
                    KafkaTestSupport.submit(producer, other, plain.url("/1")));
            producer.flush();
            List<JobEvent> events = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                KafkaTestSupport.pollEvents(reader, events, parent, other);
                for (CrawlTask task : tasks) {
                    assertThat(KafkaTestSupport.terminals(events, task.childId())).hasSize(1);
                }
            });

            assertThat(delays(events, parent)).containsExactly(0L, 1_000L, 0L);
            assertThat(delays(events, other)).containsExactly(0L);
            for (JobEvent event : events) {
                if (event instanceof HostDelayObserved delay) {
                    assertThat(delay.host()).isEqualTo("127.0.0.1");
                    // reported in the outcome's transaction, right before the terminal status of the same task
                    ChildStatusChanged next = nextOutcome(events, delay);
                    assertThat(next.status().isTerminal()).isTrue();
                    assertThat(delay.eventId()).isEqualTo(Ids.eventId(next.childId(), "1", "host-delay"));
                }
            }
        }
    }

    /** The parent's next event after {@code delay} that is not an (advisory, separately sent) running event. */
    private static ChildStatusChanged nextOutcome(List<JobEvent> events, HostDelayObserved delay) {
        for (JobEvent event : events.subList(events.indexOf(delay) + 1, events.size())) {
            if (event.parentId().equals(delay.parentId()) && !(event instanceof ChildStatusChanged change
                    && change.status() == ChildStatus.RUNNING)) {
                return (ChildStatusChanged) event;
            }
        }
        throw new AssertionError("no outcome after " + delay);
    }

    private static List<Long> delays(List<JobEvent> events, String parentId) {
        return events.stream().filter(HostDelayObserved.class::isInstance).map(HostDelayObserved.class::cast)
                .filter(d -> d.parentId().equals(parentId)).map(HostDelayObserved::delayMs).toList();
    }
}

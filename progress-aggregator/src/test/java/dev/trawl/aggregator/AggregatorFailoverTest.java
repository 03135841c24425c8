package dev.trawl.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.JobSubmitted;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.topic.Topics;
import dev.trawl.testkit.EmbeddedBroker;
import dev.trawl.testkit.ServiceProcess;
import dev.trawl.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Two aggregator instances share the partitions; one, in its own JVM, is SIGKILLed mid-crawl (no commit, no
 * leave-group) and the other takes its tasks over from the changelogs. The test itself plays the workers.
 */
class AggregatorFailoverTest {

    private static final int PAGES = 60;
    private static final int PARENTS = Topics.JOB_EVENTS.partitions();

    private final String bootstrap = EmbeddedBroker.shared().bootstrapServers();
    private final String applicationId = "trawl-aggregator-failover-" + UUID.randomUUID();

    static ProgressAggregator.Settings settings(String bootstrap, String applicationId, Path stateDir) {
        return ProgressAggregator.Settings.defaults(bootstrap, stateDir).withApplicationId(applicationId)
                .withOverrides(AggregatorProcessMain.fastFailover());
    }

    @Test
    void countsStayExactWhenAnAggregatorInstanceIsKilledMidCrawl() throws Exception {
        Path logs = Files.createTempDirectory("failover");
        try (ServiceProcess killed = ServiceProcess.mainClass("aggregator-a", AggregatorProcessMain.class)
                .jvmArgs(List.of("-Xmx256m")).withoutHttp().log(logs.resolve("aggregator-a.log"))
                .args(bootstrap, applicationId, logs.resolve("state-a").toString()).start();
             ProgressAggregator survivor = new ProgressAggregator(settings(bootstrap, applicationId,
                     logs.resolve("state-b")));
             var producer = producer(); var tasks = reader(Topics.CRAWL_TASKS.name());
             var progress = reader(Topics.PARENT_PROGRESS.name());
             var childProgress = reader(Topics.CHILD_PROGRESS.name())) {
            survivor.start();
            // both instances own some of the 6 partitions before the crawl starts
            await().atMost(Duration.ofSeconds(60)).until(() -> survivor.activeTaskCount() > 0
                    && survivor.activeTaskCount() < Topics.JOB_EVENTS.partitions());

            List<String> parents = parentsOnEveryPartition();
            for (String parent : parents) {
                send(producer, new JobSubmitted("s-" + parent, parent, Instant.now(), new CrawlSpec(parent,
                        List.of(site(parent) + "/p/0"), 10, PAGES, true, List.of(), List.of(),
                        ErrorTolerance.UNLIMITED)));
            }
            Map<String, List<ParentProgress>> snapshots = new HashMap<>();
            Set<String> crawled = new HashSet<>();
            AtomicBoolean killedMidCrawl = new AtomicBoolean();
            // the test is the workers and the watcher: hand out tasks and read snapshots until every crawl ended
            await().atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : tasks.poll(Duration.ofMillis(100))) {
                            CrawlTask task = Topics.CRAWL_TASKS.valueSerde().deserializer().deserialize(r.topic(),
                                    r.value());
                            if (parents.contains(task.parentId()) && crawled.add(task.childId())) {
                                crawl(producer, task);
                            }
                        }
                        for (ConsumerRecord<byte[], byte[]> r : progress.poll(Duration.ofMillis(10))) {
                            ParentProgress p = Topics.PARENT_PROGRESS.valueSerde().deserializer()
                                    .deserialize(r.topic(), r.value());
                            if (parents.contains(p.id())) {
                                snapshots.computeIfAbsent(p.id(), k -> new ArrayList<>()).add(p);
                            }
                        }
                        if (!killedMidCrawl.get() && crawled.size() >= PARENTS * PAGES / 3) {
                            killed.kill(); // mid-crawl: a third of the pages done
                            killedMidCrawl.set(true);
                        }
                        return parents.stream().allMatch(id -> {
                            List<ParentProgress> list = snapshots.get(id);
                            return list != null && list.get(list.size() - 1).status().isTerminal();
                        });
                    });
            assertThat(killedMidCrawl).isTrue();
            assertThat(survivor.activeTaskCount()).isEqualTo(Topics.JOB_EVENTS.partitions());
            for (String parent : parents) {
                List<ParentProgress> list = snapshots.get(parent);
                assertThat(list).as("snapshots of " + parent).isNotEmpty();
                ParentProgress last = list.get(list.size() - 1);
                assertThat(last.status().wireName()).as(parent).isEqualTo("completed");
                assertThat(last.completed()).as(parent).isEqualTo(PAGES);
                assertThat(last.total()).as(parent).isEqualTo(PAGES);
                assertThat(last.documentCount()).as(parent).isEqualTo(PAGES);
                assertThat(last.pending() + last.running() + last.failed() + last.cancelled()).isZero();
                for (int i = 1; i < list.size(); i++) {
                    assertThat(list.get(i).version()).as(parent).isGreaterThan(list.get(i - 1).version());
                }
            }
            // the children view (latest record per child) ends exact too: nothing deferred was lost in the kill
            Map<String, ChildProgress> latestChild = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                childProgress.poll(Duration.ofMillis(200)).forEach(r -> {
                    ChildProgress c = Topics.CHILD_PROGRESS.valueSerde().deserializer().deserialize(r.topic(),
                            r.value());
                    if (c != null && parents.contains(c.parentId())) {
                        latestChild.put(c.childId(), c);
                    }
                });
                return latestChild.size() == PARENTS * PAGES
                        && latestChild.values().stream().allMatch(c -> c.status() == ChildStatus.COMPLETED);
            });
        }
    }

    /** One parent id per partition of trawl.job-events, so both instances hold parents when one dies. */
    private static List<String> parentsOnEveryPartition() {
        Map<Integer, String> byPartition = new HashMap<>();
        while (byPartition.size() < PARENTS) {
            String id = Ids.newParentId();
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARENTS;
            byPartition.putIfAbsent(partition, id);
        }
        return new ArrayList<>(byPartition.values());
    }

    private static String site(String parent) {
        return "http://" + parent + ".site.test";
    }

    /** What a worker does for a page: running, links (a tree of PAGES pages), completed. */
    private static void crawl(KafkaProducer<String, byte[]> producer, CrawlTask task) {
        int n = Integer.parseInt(task.url().substring(task.url().lastIndexOf('/') + 1));
        List<String> links = new ArrayList<>();
        for (int c = 3 * n + 1; c <= 3 * n + 3 && c < PAGES; c++) {
            links.add(site(task.parentId()) + "/p/" + c);
        }
        links.add(site(task.parentId()) + "/p/0");
        send(producer, ChildStatusChanged.running("r-" + task.childId(), task, Instant.now()));
        send(producer, new LinksDiscovered("l-" + task.childId(), task.parentId(), task.childId(), task.depth(),
                Instant.now(), links));
        send(producer, ChildStatusChanged.completed("c-" + task.childId(), task, Instant.now(), 200, task.childId(),
                100));
    }

    private static void send(KafkaProducer<String, byte[]> producer, JobEvent event) {
        producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), event.parentId(),
                Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event)));
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 2),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> reader(String topic) {
        return TopicReader.fromNow(bootstrap, topic); // before the crawl starts
    }
}

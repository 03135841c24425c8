package dev.trawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

class WorkerPropertiesTest {

    private static WorkerSettings bind(java.util.Map<String, Object> overrides) throws Exception {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new MapPropertySource("overrides", overrides));
        for (PropertySource<?> yaml : new YamlPropertySourceLoader()
                .load("application.yml", new ClassPathResource("application.yml"))) {
            sources.addLast(yaml);
        }
        Binder binder = new Binder(ConfigurationPropertySources.from(sources));
        return binder.bind("trawl", WorkerProperties.class).get().toSettings();
    }

    @Test
    void applicationYmlDefaultsMatchTheSpringFreeDefaults() throws Exception {
        WorkerSettings bound = bind(java.util.Map.of());
        WorkerSettings defaults = WorkerSettings.defaults("localhost:9092").withInstanceId(bound.instanceId());

        assertThat(bound).isEqualTo(defaults);
        assertThat(bound.allowedPrivateCidrs()).isEmpty();
        assertThat(bound.instanceId()).startsWith("worker-");
    }

    @Test
    void externalPropertiesOverrideTheDefaults() throws Exception {
        WorkerSettings bound = bind(java.util.Map.of(
                "trawl.kafka.bootstrap-servers", "broker:29092",
                "trawl.worker.max-in-flight", "8",
                "trawl.worker.politeness-delay", "250ms",
                "trawl.worker.instance-id", "w1",
                "trawl.worker.allowed-private-cidrs[0]", "127.0.0.0/8"));

        assertThat(bound.bootstrapServers()).isEqualTo("broker:29092");
        assertThat(bound.maxInFlight()).isEqualTo(8);
        assertThat(bound.politenessDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(bound.instanceId()).isEqualTo("w1");
        assertThat(bound.allowedPrivateCidrs()).isEqualTo(List.of("127.0.0.0/8"));
    }
}

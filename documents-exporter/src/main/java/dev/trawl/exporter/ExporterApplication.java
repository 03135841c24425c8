package dev.trawl.exporter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A downstream consumer of Trawl's public {@code trawl.documents} topic: writes every saved document as a Markdown
 * file. It shows the topic in use by a service of its own (its own consumer group, read_committed), and is what
 * {@code docker-compose.yml} runs beside the pipeline.
 */
@SpringBootApplication
@EnableConfigurationProperties(ExporterProperties.class)
public class ExporterApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExporterApplication.class, args);
    }
}

package dev.trawl.exporter;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code trawl.exporter.*}.
 *
 * @param groupId     consumer group of the exporter's instances
 * @param directory   where the Markdown files go: {@code <directory>/<parent id>/<document id>.md}
 * @param concurrency listener threads of this instance
 */
@ConfigurationProperties("trawl.exporter")
public record ExporterProperties(
        @DefaultValue("trawl-documents-exporter") String groupId,
        @DefaultValue("./documents") Path directory,
        @DefaultValue("1") int concurrency) {
}

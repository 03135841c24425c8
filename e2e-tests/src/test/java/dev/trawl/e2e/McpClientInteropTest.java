package dev.trawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.testkit.GeneratedSite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official MCP TypeScript SDK client (src/test/mcp-client, pinned by its package-lock) against the gateway's
 * {@code /mcp} on the running pipeline: it connects over Streamable HTTP, lists the tools, submits a crawl of a
 * generated loopback site, waits for it to end with {@code wait_for_job}, and checks that an invalid seed comes
 * back as a tool error. Needs Node.js 20+ and the npm registry for {@code npm ci} (into target/); under CI
 * ({@code CI=true}) a missing Node fails the test, elsewhere it is skipped with a message.
 */
@Timeout(300)
class McpClientInteropTest {

    private static final Path SOURCES = Path.of("src", "test", "mcp-client");
    private static final Path WORK = Path.of("target", "mcp-client");

    @Test
    void theOfficialMcpClientSubmitsACrawlAndWaitsForItsEnd() throws Exception {
        boolean node = run(List.of("node", "--version"), Path.of("."), 30).exit() == 0;
        if (!node && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("node is missing: .ci/run installs Node.js");
        }
        Assumptions.assumeTrue(node, "no node on the PATH: skipping the MCP client interop test");
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "check.mjs")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), WORK, 180);
            assertThat(install.exit()).as("npm ci:\n%s", install.output()).isZero();
        }
        TrawlPipeline pipeline = TrawlPipeline.shared();
        try (GeneratedSite site = GeneratedSite.start(40, 0)) {
            Result check = run(List.of("node", "check.mjs", pipeline.api, site.seedUrl()), WORK, 180);
            assertThat(check.exit()).as("node check.mjs:\n%s", check.output()).isZero();
            assertThat(check.output())
                    .contains("protocol 2025-06-18")
                    .contains("submit_crawl, list_jobs, get_job, list_children, get_document, cancel_job, wait_for_job")
                    .contains("invalid call refused: Invalid arguments: seeds[0]")
                    .endsWith("ok\n");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Path dir, int seconds) throws InterruptedException {
        try {
            Path log = Files.createTempFile("mcp-client", ".log");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean ended = process.waitFor(seconds, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            return ended ? new Result(process.exitValue(), output)
                    : new Result(-1, output + "\n(timed out after " + seconds + " s)");
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }
}

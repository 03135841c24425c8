package dev.trawl.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {

    @TempDir
    Path dir;

    @Test
    void aServiceGetsItsArgumentsEnvironmentAndAPortOfItsOwnAndIsReadyByItsReadinessProbe() throws Exception {
        Path log = dir.resolve("logs").resolve("fake.log");
        try (ServiceProcess service = ServiceProcess.mainClass("fake", FakeService.class)
                .jvmArgs(List.of("-Xmx32m")).args("--trawl.fake=yes").env("TRAWL_FAKE", "from-env").log(log)
                .start()) {
            service.awaitReady(Duration.ofSeconds(60));

            assertThat(service.httpPort()).isPositive();
            assertThat(service.isAlive()).isTrue();
            assertThat(Files.readString(log)).contains("--trawl.fake=yes", "--server.port=" + service.httpPort(),
                    "env TRAWL_FAKE=from-env");
        }
    }

    @Test
    void stopEndsAServiceCleanlyAndKillEndsItAtOnce() throws Exception {
        ServiceProcess stopped = ServiceProcess.mainClass("stopped", FakeService.class).jvmArgs(List.of("-Xmx32m"))
                .log(dir.resolve("stopped.log")).start().awaitReady(Duration.ofSeconds(60));
        ServiceProcess killed = ServiceProcess.mainClass("killed", FakeService.class).jvmArgs(List.of("-Xmx32m"))
                .log(dir.resolve("killed.log")).start().awaitReady(Duration.ofSeconds(60));

        stopped.stop(Duration.ofSeconds(30));
        killed.kill();

        assertThat(stopped.isAlive()).isFalse();
        assertThat(killed.isAlive()).isFalse();
        assertThat(Files.readString(stopped.log())).contains("stopping cleanly");
        assertThat(Files.readString(killed.log())).doesNotContain("stopping cleanly");
    }

    @Test
    void waitingForAServiceThatExitedFailsNamingItsLog() {
        try (ServiceProcess service = ServiceProcess.mainClass("exits", FakeService.class)
                .jvmArgs(List.of("-Xmx32m")).args("exit").log(dir.resolve("exits.log")).start()) {
            assertThatThrownBy(() -> service.awaitReady(Duration.ofMinutes(5)))
                    .hasMessageContaining("exits exited before it was ready")
                    .hasMessageContaining(dir.resolve("exits.log").toString());
        }
    }

    @Test
    void aPortIsGivenWithItsOwnSetterNotAsAnArgument() {
        assertThatThrownBy(() -> ServiceProcess.mainClass("fake", FakeService.class).args("--server.port=8080"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
